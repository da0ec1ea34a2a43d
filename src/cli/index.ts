// cli/: the commands, their output and exit codes; an edge: nothing imports it.
export {};
