// A stand-in for an app's container image in the kubelets tests (issue 15, Tier 2): the real registries
// are unreachable, so each app's image is this program tagged with the upstream name Drover renders.
// Whatever its arguments, it answers HTTP 200 on every TCP port listed in DROVER_STANDIN_PORTS
// (comma-separated; the rendered containerPorts, so the rendered probes pass), binds the UDP ones
// (DROVER_STANDIN_UDP_PORTS), and exits at once on SIGTERM. Standard library only.
package main

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

func main() {
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
