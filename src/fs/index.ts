// fs/: atomic file writes (temp file, fsync, rename), the one way Drover writes a file.
export {};
