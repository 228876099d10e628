// Preloaded (node --import) into the servers the runner starts: the runner holds our stdin
// open, so its end means the runner is gone (even after SIGKILL) and we must not outlive it.
process.stdin.on("end", () => process.exit(0));
process.stdin.on("error", () => process.exit(0));
process.stdin.resume();
