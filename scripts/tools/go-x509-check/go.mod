module drover.local/go-x509-check

go 1.25
