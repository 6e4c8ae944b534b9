#include "support/devbroker_process.hpp"

#include <stdexcept>
#include <string_view>

#include <signal.h>

namespace parley::testing {
namespace {

constexpr std::chrono::seconds kStartupTimeout{10};
constexpr std::chrono::seconds kReplyTimeout{5};
constexpr std::chrono::seconds kStopTimeout{5};
constexpr std::string_view kBootstrapPrefix = "bootstrap.servers=";

}  // namespace

std::unique_ptr<DevBrokerProcess> DevBrokerProcess::start(const std::string& binary, int brokers,
                                                          int partitions,
                                                          const std::vector<std::string>& topics) {
  std::vector<std::string> argv = {binary,
                                   "--brokers",
                                   std::to_string(brokers),
                                   "--partitions",
                                   std::to_string(partitions),
                                   "--control-stdin"};
  for (const auto& topic : topics) {
    argv.push_back("--topic");
    argv.push_back(topic);
  }
  ChildProcess child = ChildProcess::spawn(argv, {}, /*capture_stdout=*/true);
  std::optional<std::string> line = child.read_line(kStartupTimeout);
  if (!line || !line->starts_with(kBootstrapPrefix)) {
    throw std::runtime_error(binary + " printed no bootstrap.servers line within " +
                             std::to_string(kStartupTimeout.count()) +
                             " s (got: " + line.value_or("nothing") + ")");
  }
  std::string bootstrap_servers = line->substr(kBootstrapPrefix.size());
  return std::make_unique<DevBrokerProcess>(std::move(child), std::move(bootstrap_servers));
}

std::string DevBrokerProcess::default_binary() { return PARLEY_DEVBROKER_BINARY; }

DevBrokerProcess::DevBrokerProcess(ChildProcess child, std::string bootstrap_servers)
    : child_(std::move(child)), bootstrap_servers_(std::move(bootstrap_servers)) {}

DevBrokerProcess::~DevBrokerProcess() { stop(); }

std::optional<int> DevBrokerProcess::stop() {
  child_.signal(SIGTERM);
  return child_.wait(kStopTimeout);
}

void DevBrokerProcess::broker_down(int broker_id) {
  send_command("down " + std::to_string(broker_id));
}

void DevBrokerProcess::broker_up(int broker_id) { send_command("up " + std::to_string(broker_id)); }

void DevBrokerProcess::send_command(const std::string& command) {
  child_.write_line(command);
  std::optional<std::string> reply = child_.read_line(kReplyTimeout);
  if (!reply) {
    throw std::runtime_error("parley-devbroker did not reply to `" + command + "` within " +
                             std::to_string(kReplyTimeout.count()) + " s");
  }
  if (*reply != "ok") {
    throw std::runtime_error("parley-devbroker rejected `" + command + "`: " + *reply);
  }
}

}  // namespace parley::testing
