//! Summaries and findings from the event stream (filled in below).
