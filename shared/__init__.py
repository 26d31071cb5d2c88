"""Code shared by the Aegis edge and core: wire contract, errors, config, logging, hashing."""
