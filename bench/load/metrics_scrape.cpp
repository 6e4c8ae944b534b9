#include "metrics_scrape.hpp"

#include <sstream>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/http.hpp>

namespace parley::bench {
namespace beast = boost::beast;
namespace http = boost::beast::http;

std::optional<std::map<std::string, double>> scrape_metrics(const Endpoint& endpoint) {
  try {
    boost::asio::io_context context;
    beast::tcp_stream stream(context);
    stream.expires_after(std::chrono::seconds(5));
    stream.connect(boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address(endpoint.host),
                                                  endpoint.port));
    http::request<http::empty_body> request(http::verb::get, "/metrics", 11);
    request.set(http::field::host, endpoint.host);
    http::write(stream, request);
    beast::flat_buffer buffer;
    http::response<http::string_body> response;
    http::read(stream, buffer, response);
    beast::error_code ignored;
    stream.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
    if (response.result() != http::status::ok) return std::nullopt;

    std::map<std::string, double> samples;
    std::istringstream lines(response.body());
    std::string line;
    while (std::getline(lines, line)) {
      if (line.empty() || line.starts_with('#') || line.find('{') != std::string::npos) continue;
      const auto space = line.find(' ');
      if (space == std::string::npos) continue;
      samples[line.substr(0, space)] = std::stod(line.substr(space + 1));
    }
    return samples;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace parley::bench
