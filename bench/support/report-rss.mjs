// Loaded with `node --import`: reports the process's peak RSS on exit, for the bench harness.
process.on("exit", () => {
  process.stderr.write(`\n@@maxrss_kb=${process.resourceUsage().maxRSS}\n`);
});
