// parley-devbroker: hosts librdkafka's mock Kafka cluster in its own process,
// for development and tests. It prints one line `bootstrap.servers=...` to
// stdout, logs to stderr and runs until SIGINT or SIGTERM.
//
// NOTE: the mock cluster of librdkafka 2.0.2 binds each broker to 127.0.0.1
// on a port the kernel picks, and rdkafka_mock.h offers no way to choose it,
// so the ports change on every start. Read them from the bootstrap line.

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include <boost/program_options.hpp>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <pthread.h>
#include <signal.h>

#include "common/logging.hpp"
#include "devbroker/control.hpp"

namespace po = boost::program_options;

namespace {

struct Options {
  int brokers = 3;
  int partitions = 6;
  int replication = 3;
  std::vector<std::string> topics;
  bool control_stdin = false;
};

po::options_description describe_options(Options& options) {
  po::options_description description("Options");
  // clang-format off
  description.add_options()
      ("help", "print this help and exit")
      ("brokers", po::value(&options.brokers)->default_value(3),
       "number of mock brokers, with ids 1 to N")
      ("partitions", po::value(&options.partitions)->default_value(6),
       "number of partitions of each topic")
      ("replication", po::value(&options.replication)->default_value(3),
       "replication factor of each topic, capped at the number of brokers")
      ("topic", po::value(&options.topics)->composing(),
       "topic to create; repeatable (default: messages)")
      ("control-stdin", po::bool_switch(&options.control_stdin),
       "read commands from stdin: `down <broker id>` and `up <broker id>` "
       "(-1 for all brokers), each answered with `ok` or `error: ...` on stdout; "
       "end of file on stdin stops the devbroker");
  // clang-format on
  return description;
}

// Returns an error message, or an empty string when the options are valid.
std::string validate(Options& options) {
  if (options.brokers < 1) {
    return "--brokers must be at least 1, got " + std::to_string(options.brokers);
  }
  if (options.partitions < 1) {
    return "--partitions must be at least 1, got " + std::to_string(options.partitions);
  }
  if (options.replication < 1) {
    return "--replication must be at least 1, got " + std::to_string(options.replication);
  }
  options.replication = std::min(options.replication, options.brokers);
  if (options.topics.empty()) {
    options.topics.push_back("messages");
  }
  return {};
}

void log_librdkafka(const rd_kafka_t*, int level, const char* facility, const char* message) {
  // librdkafka uses syslog levels: 0 emergency to 7 debug.
  auto log = parley::logger("devbroker");
  if (level <= 3) {
    log->error("librdkafka {}: {}", facility, message);
  } else if (level <= 5) {
    log->warn("librdkafka {}: {}", facility, message);
  } else {
    log->debug("librdkafka {}: {}", facility, message);
  }
}

// Creates the producer handle that owns a mock cluster of `brokers` brokers
// (librdkafka's test.mock.num.brokers). The handle itself is never used to
// produce.
rd_kafka_t* create_host_handle(int brokers) {
  auto log = parley::logger("devbroker");
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set_log_cb(conf, log_librdkafka);
  char error_text[512];
  std::string broker_count = std::to_string(brokers);
  if (rd_kafka_conf_set(conf, "test.mock.num.brokers", broker_count.c_str(), error_text,
                        sizeof(error_text)) != RD_KAFKA_CONF_OK) {
    log->error("setting test.mock.num.brokers={} failed: {}", broker_count, error_text);
    rd_kafka_conf_destroy(conf);
    return nullptr;
  }
  rd_kafka_t* handle = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error_text, sizeof(error_text));
  if (handle == nullptr) {
    log->error("creating the librdkafka handle failed: {}", error_text);
    rd_kafka_conf_destroy(conf);
  }
  return handle;
}

bool create_topics(rd_kafka_mock_cluster_t* cluster, const Options& options) {
  for (const auto& topic : options.topics) {
    rd_kafka_resp_err_t err =
        rd_kafka_mock_topic_create(cluster, topic.c_str(), options.partitions, options.replication);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      parley::logger("devbroker")
          ->error("creating topic {} failed: {}", topic, rd_kafka_err2str(err));
      return false;
    }
  }
  return true;
}

// Reads control commands until end of file, then raises SIGTERM so that the
// main thread stops the cluster.
void run_control_loop(rd_kafka_mock_cluster_t* cluster) {
  std::string line;
  while (std::getline(std::cin, line)) {
    std::string reply = parley::devbroker::run_control_command(cluster, line);
    std::cout << reply << '\n' << std::flush;
  }
  parley::logger("devbroker")->info("stdin closed, stopping");
  kill(getpid(), SIGTERM);
}

int wait_for_stop_signal(const sigset_t& signals) {
  int received = 0;
  sigwait(&signals, &received);
  return received;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  po::options_description description = describe_options(options);
  try {
    po::variables_map variables;
    po::store(po::parse_command_line(argc, argv, description), variables);
    if (variables.count("help") != 0) {
      std::cout << "Usage: parley-devbroker [options]\n"
                << "Runs librdkafka's mock Kafka cluster and prints bootstrap.servers=<list>.\n\n"
                << description;
      return 0;
    }
    po::notify(variables);
  } catch (const po::error& error) {
    std::cerr << "parley-devbroker: " << error.what() << "\n" << description;
    return 2;
  }
  if (std::string problem = validate(options); !problem.empty()) {
    std::cerr << "parley-devbroker: " << problem << "\n";
    return 2;
  }

  // Block the stop signals before any thread starts, so that every
  // librdkafka thread inherits the mask and only sigwait() receives them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  auto log = parley::logger("devbroker");
  rd_kafka_t* host = create_host_handle(options.brokers);
  if (host == nullptr) {
    return 1;
  }
  // The cluster belongs to `host` and is destroyed with it.
  rd_kafka_mock_cluster_t* cluster = rd_kafka_handle_mock_cluster(host);
  if (cluster == nullptr) {
    log->error("librdkafka created no mock cluster for test.mock.num.brokers={}", options.brokers);
    rd_kafka_destroy(host);
    return 1;
  }
  if (!create_topics(cluster, options)) {
    rd_kafka_destroy(host);
    return 1;
  }

  std::string bootstrap_servers = rd_kafka_mock_cluster_bootstraps(cluster);
  std::cout << "bootstrap.servers=" << bootstrap_servers << '\n' << std::flush;
  log->info("mock cluster started: {} brokers, {} partitions, replication {}, bootstrap.servers={}",
            options.brokers, options.partitions, options.replication, bootstrap_servers);

  if (options.control_stdin) {
    // Detached because std::getline cannot be interrupted; the process exits
    // right after the cluster is destroyed.
    std::thread(run_control_loop, cluster).detach();
  }
  int received = wait_for_stop_signal(stop_signals);
  log->info("received signal {}, stopping the mock cluster", received);

  rd_kafka_destroy(host);
  log->info("mock cluster stopped");
  return 0;
}
