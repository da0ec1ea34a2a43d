// go-x509-check: what Go's crypto/x509 and crypto/tls (the libraries of cert-manager, Flux, kubectl and
// most home-lab clients) make of certificates. Reads a JSON list of cases on stdin and prints one JSON
// answer per case: whether each PEM parses, whether a key pair loads as cert-manager's CA issuer loads
// it (tls.X509KeyPair), and whether a leaf verifies against the roots (with their name constraints) for a host name or IP address.
package main

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"os"
)

type input struct {
	Roots []string `json:"roots"`
	Cert  string   `json:"cert"`
	Key   string   `json:"key,omitempty"`
	Host  string   `json:"host,omitempty"` // a DNS name or an IP address, as a client dials it
}

type output struct {
	ParseError  string `json:"parseError,omitempty"`
	IsCA        bool   `json:"isCA"`
	KeyPair     string `json:"keyPair,omitempty"`
	VerifyError string `json:"verifyError,omitempty"`
	Verified    bool   `json:"verified"`
}

func parse(text string) (*x509.Certificate, error) {
	b, _ := pem.Decode([]byte(text))
	if b == nil || b.Type != "CERTIFICATE" {
		return nil, errors.New("no CERTIFICATE PEM block")
	}
	return x509.ParseCertificate(b.Bytes)
}

func check(in input) output {
	var out output
	cert, err := parse(in.Cert)
	if err != nil {
		out.ParseError = err.Error()
		return out
	}
	out.IsCA = cert.IsCA
	if in.Key != "" {
		if _, err := tls.X509KeyPair([]byte(in.Cert), []byte(in.Key)); err != nil {
			out.KeyPair = err.Error()
		} else {
			out.KeyPair = "ok"
		}
	}
	if len(in.Roots) > 0 {
		pool := x509.NewCertPool()
		for _, r := range in.Roots {
			rc, err := parse(r)
			if err != nil {
				out.ParseError = "root: " + err.Error()
				return out
			}
			pool.AddCert(rc)
		}
		opts := x509.VerifyOptions{Roots: pool, DNSName: in.Host, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
		if _, err := cert.Verify(opts); err != nil {
			out.VerifyError = err.Error()
		} else {
			out.Verified = true
		}
	}
	return out
}

func main() {
	var ins []input
	if err := json.NewDecoder(os.Stdin).Decode(&ins); err != nil {
		os.Stderr.WriteString("go-x509-check: " + err.Error() + "\n")
		os.Exit(2)
	}
	outs := make([]output, len(ins))
	for i, in := range ins {
		outs[i] = check(in)
	}
	if err := json.NewEncoder(os.Stdout).Encode(outs); err != nil {
		os.Exit(2)
	}
}
