#pragma once

#include <memory>
#include <string>
#include <vector>

#include "support/child_process.hpp"

namespace parley::testing {

// parley-devbroker, the librdkafka mock cluster, running as a child process
// with --control-stdin. The destructor sends SIGTERM, waits up to 5 seconds,
// then kills it.
class DevBrokerProcess {
 public:
  // Starts `binary` and reads its bootstrap.servers line, waiting up to 10
  // seconds. `topics` empty means the devbroker default (`messages`). Throws
  // std::runtime_error when the process fails to start or prints no
  // bootstrap line.
  static std::unique_ptr<DevBrokerProcess> start(const std::string& binary, int brokers = 3,
                                                 int partitions = 6,
                                                 const std::vector<std::string>& topics = {});

  // Path of the parley-devbroker built with this tree, for start().
  static std::string default_binary();

  explicit DevBrokerProcess(ChildProcess child, std::string bootstrap_servers);
  ~DevBrokerProcess();

  // Comma-separated host:port list of the mock brokers.
  const std::string& bootstrap_servers() const { return bootstrap_servers_; }

  // Disconnects broker `broker_id` (1 to the broker count, or -1 for all)
  // and rejects new connections until broker_up(). Leadership does not move.
  // Throws std::runtime_error unless the devbroker replies "ok".
  void broker_down(int broker_id);
  void broker_up(int broker_id);

  // Sends SIGTERM and waits up to 5 seconds. Returns the exit code, or
  // nullopt when the devbroker did not exit in time.
  std::optional<int> stop();

  ChildProcess& child() { return child_; }

 private:
  void send_command(const std::string& command);

  ChildProcess child_;
  std::string bootstrap_servers_;
};

}  // namespace parley::testing
