// The cluster that scripts/test-browser.sh started with parley-test-cluster,
// read from the JSON file named by PARLEY_CLUSTER_INFO.

import { readFileSync } from "node:fs";

export function loadCluster() {
  const file = process.env.PARLEY_CLUSTER_INFO;
  if (!file) {
    throw new Error("PARLEY_CLUSTER_INFO is not set; run the browser tests with scripts/test-browser.sh");
  }
  const info = JSON.parse(readFileSync(file, "utf8"));
  return {
    nodes: info.nodes,
    logDir: info.logDir,
    // Kills node i with SIGKILL, as a crash would, by the PID that
    // parley-test-cluster started it with.
    kill(i) {
      process.kill(info.nodes[i].pid, "SIGKILL");
    },
  };
}
