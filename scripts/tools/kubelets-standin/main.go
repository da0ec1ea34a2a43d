// A stand-in for an app's container image in the kubelets tests (issue 15, Tier 2): the real registries
// are unreachable, so each app's image is this program tagged with the upstream name Drover renders.
// Whatever its arguments, it answers HTTP 200 on every TCP port listed in DROVER_STANDIN_PORTS
// (comma-separated; the rendered containerPorts, so the rendered probes pass), binds the UDP ones
// (DROVER_STANDIN_UDP_PORTS), and exits at once on SIGTERM. Standard library only.
//
// Called as pg_isready (the image links it under that name too), it is the Postgres readiness check the
// rendered probe runs: exit 0 when something accepts a TCP connection on -h/-p (default 127.0.0.1:5432),
// else 2, as the real pg_isready does when the server does not answer.
package main

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

func pgIsReady(args []string) {
	host, port := "127.0.0.1", "5432"
	for i := 0; i+1 < len(args); i++ {
		switch args[i] {
		case "-h":
			host = args[i+1]
		case "-p":
			port = args[i+1]
		}
	}
	c, err := net.DialTimeout("tcp", net.JoinHostPort(host, port), 2*time.Second)
	if err != nil {
		fmt.Printf("%s:%s - no response\n", host, port)
		os.Exit(2)
	}
	c.Close()
	fmt.Printf("%s:%s - accepting connections\n", host, port)
}

func main() {
	if filepath.Base(os.Args[0]) == "pg_isready" {
		pgIsReady(os.Args[1:])
		return
	}
	name := os.Getenv("DROVER_STANDIN_NAME")
	host, _ := os.Hostname()
	for _, p := range strings.Split(os.Getenv("DROVER_STANDIN_PORTS"), ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		l, err := net.Listen("tcp", ":"+p)
		if err != nil {
			fmt.Fprintln(os.Stderr, "standin:", err)
			os.Exit(1)
		}
		go http.Serve(l, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, "standin %s on %s\n", name, host)
		}))
	}
	for _, p := range strings.Split(os.Getenv("DROVER_STANDIN_UDP_PORTS"), ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		if _, err := net.ListenPacket("udp", ":"+p); err != nil {
			fmt.Fprintln(os.Stderr, "standin:", err)
			os.Exit(1)
		}
	}
	fmt.Printf("standin %s listening on %s\n", name, os.Getenv("DROVER_STANDIN_PORTS"))
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	<-sig
}
