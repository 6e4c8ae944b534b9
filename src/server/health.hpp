#pragma once

#include <functional>

#include <boost/asio/thread_pool.hpp>
#include <boost/json/object.hpp>

#include "db/pool.hpp"
#include "kafka/producer.hpp"
#include "net/http_handler.hpp"

namespace parley::server {

// GET /healthz: 200 while the process serves. GET /readyz: 200 when
// PostgreSQL and Kafka both reply to a probe, else 503 naming the one that did not.
// The probes block for up to a second, so they run on `blocking`, never on
// an I/O thread. GET /status: a JSON object describing the node, built by
// `status` (node id, public URL, whether it relays the outbox). GET /nodes:
// the public URLs of the nodes that hold a live lease, read from PostgreSQL.
// GET /metrics: the text built by `metrics`, in the Prometheus text format
// 0.0.4. Any other GET is looked up among the web client's embedded files.
class HealthEndpoints : public net::HttpHandler {
 public:
  using StatusSource = std::function<boost::json::object()>;
  using MetricsSource = std::function<std::string()>;

  HealthEndpoints(db::Pool& database, kafka::Producer& producer, boost::asio::thread_pool& blocking,
                  StatusSource status, MetricsSource metrics = {})
      : database_(database),
        producer_(producer),
        blocking_(blocking),
        status_(std::move(status)),
        metrics_(std::move(metrics)) {}

  void handle(const net::HttpRequest& request,
              std::function<void(net::HttpResponse)> respond) override;

 private:
  db::Pool& database_;
  kafka::Producer& producer_;
  boost::asio::thread_pool& blocking_;
  StatusSource status_;
  MetricsSource metrics_;
};

}  // namespace parley::server
