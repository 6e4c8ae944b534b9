#pragma once

#include <string>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

namespace parley::devbroker {

// Runs one control command on the mock cluster and returns the reply line:
// `ok`, or `error: <reason>`. Commands: `down <broker id>` disconnects a
// broker and rejects new connections to it, `up <broker id>` accepts them
// again. Broker id -1 means every broker. Neither moves partition leadership.
std::string run_control_command(rd_kafka_mock_cluster_t* cluster, const std::string& line);

}  // namespace parley::devbroker
