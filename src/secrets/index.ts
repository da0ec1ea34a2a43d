// secrets/: key generation, the encrypted secrets store and the SOPS/age formats.
export {};
