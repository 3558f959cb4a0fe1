//! Blocking profiles and timelines written from the event stream.
