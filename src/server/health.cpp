#include "server/health.hpp"

#include <boost/asio/post.hpp>
#include <boost/json/serialize.hpp>

namespace parley::server {
namespace http = boost::beast::http;

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
  respond(net::make_response(request, http::status::not_found,
                             "not found: this node serves WebSocket on /, and GET /healthz, "
                             "GET /readyz, GET /status\n"));
}

}  // namespace parley::server
