// versions/: every version and image Drover renders (defaults, one table); labs override them in versions.yaml.
