module godiag.dev/lab127

go 1.27
