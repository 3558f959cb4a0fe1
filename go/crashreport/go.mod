module godiag.dev/crashreport

go 1.23
