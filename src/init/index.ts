// init/: the starter lab.yaml that `drover init` writes.
export {};
