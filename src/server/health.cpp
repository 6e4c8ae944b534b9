#include "server/health.hpp"

#include <boost/asio/post.hpp>
#include <boost/json/serialize.hpp>

#include "common/logging.hpp"
#include "db/db_error.hpp"
#include "db/node_id.hpp"
#include "server/metrics.hpp"
#include "web/static_files.hpp"

namespace parley::server {
namespace http = boost::beast::http;

namespace {

// GET /nodes: {"nodes": [{"nodeId", "url"}]}, the live nodes from
// node_leases, so that a client can reconnect to another node. Pages served
// by one node fetch it from the others, so any origin may read it.
void list_nodes(db::Pool& database, const net::HttpRequest& request,
                std::function<void(net::HttpResponse)> respond) {
  auto unavailable = [request, respond] {
    respond(net::make_response(request, http::status::service_unavailable,
                               "PostgreSQL is unreachable\n"));
  };
  const bool queued = database.submit(
      [request, respond, unavailable](db::Connection& connection) {
        std::vector<db::LiveNode> live;
        try {
          live = db::list_live_nodes(connection);
        } catch (const db::DbError& error) {
          logger("server")->warn("GET /nodes failed: {}", error.what());
          return unavailable();
        }
        boost::json::array nodes;
        for (const auto& node : live) {
          nodes.push_back({{"nodeId", std::to_string(node.node_id)}, {"url", node.public_url}});
        }
        auto response =
            net::make_response(request, http::status::ok,
                               boost::json::serialize(boost::json::object{{"nodes", nodes}}) + "\n",
                               "application/json");
        response.set(http::field::access_control_allow_origin, "*");
        respond(std::move(response));
      },
      unavailable);
  if (!queued) unavailable();
}

}  // namespace

void HealthEndpoints::handle(const net::HttpRequest& request,
                             std::function<void(net::HttpResponse)> respond) {
  const bool is_read = request.method() == http::verb::get || request.method() == http::verb::head;
  if (request.target() == "/healthz" && is_read) {
    return respond(net::make_response(request, http::status::ok, "ok\n"));
  }
  if (request.target() == "/status" && is_read) {
    return respond(net::make_response(
        request, http::status::ok, boost::json::serialize(status_()) + "\n", "application/json"));
  }
  if (request.target() == "/metrics" && is_read && metrics_) {
    return respond(net::make_response(request, http::status::ok, metrics_(), kMetricsContentType));
  }
  if (request.target() == "/readyz" && is_read) {
    boost::asio::post(blocking_, [this, request, respond = std::move(respond)] {
      std::string problems;
      if (!database_.probe()) problems += "PostgreSQL is unreachable\n";
      if (!producer_.probe(std::chrono::seconds(1))) problems += "Kafka is unreachable\n";
      if (problems.empty()) {
        respond(net::make_response(request, http::status::ok, "ready\n"));
      } else {
        respond(net::make_response(request, http::status::service_unavailable, problems));
      }
    });
    return;
  }
  if (request.target() == "/nodes" && is_read) return list_nodes(database_, request, respond);
  if (auto file = web::serve_static(request)) return respond(std::move(*file));
  respond(net::make_response(request, http::status::not_found,
                             "not found: this node serves WebSocket and the web client on /, "
                             "and GET /healthz, GET /readyz, GET /status, GET /nodes, "
                             "GET /metrics\n"));
}

}  // namespace parley::server
