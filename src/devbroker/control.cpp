#include "devbroker/control.hpp"

#include <sstream>

#include "common/logging.hpp"

namespace parley::devbroker {

std::string run_control_command(rd_kafka_mock_cluster_t* cluster, const std::string& line) {
  std::istringstream words(line);
  std::string command;
  std::string rest;
  std::int32_t broker_id = 0;
  if (!(words >> command)) {
    return "error: empty command, expected `down <broker id>` or `up <broker id>`";
  }
  if (command != "down" && command != "up") {
    return "error: unknown command `" + command + "`, expected `down` or `up`";
  }
  if (!(words >> broker_id) || (words >> rest)) {
    return "error: invalid broker id in `" + line + "`, expected an integer";
  }

  rd_kafka_resp_err_t err = command == "down" ? rd_kafka_mock_broker_set_down(cluster, broker_id)
                                              : rd_kafka_mock_broker_set_up(cluster, broker_id);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return "error: " + command + " " + std::to_string(broker_id) +
           " failed: " + rd_kafka_err2str(err);
  }
  logger("devbroker")->info("broker {} set {}", broker_id, command);
  return "ok";
}

}  // namespace parley::devbroker
