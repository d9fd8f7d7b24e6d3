// Placeholder until the CLI bundle exists; replaced by the CLI build.
process.exit(0);
