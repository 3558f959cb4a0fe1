module godiag.dev/lab

go 1.21
