// ui/: the dashboard (HTTP server and web app); an edge: only the `ui` command imports it.
export {};
