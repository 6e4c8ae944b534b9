#pragma once

#include <memory>
#include <utility>

#include <boost/asio/dispatch.hpp>

#include "common/error.hpp"
#include "common/logging.hpp"
#include "db/connection.hpp"
#include "db/pool.hpp"
#include "service/dispatcher.hpp"

namespace parley::service {

inline const Error kDatabaseUnavailable{503, "Service unavailable: database"};
inline const Error kInternalError{500, "Internal service error"};
// Replies that more than one handler file sends.
inline const Error kLoginFailed{401, "Login failed"};
inline const Error kTooManyRequests{429, "Too many requests"};
inline const Error kRoomNotFound{404, "Room not found"};

// Runs `work(db::Connection&) -> Result<T>` on a database pool thread and
// then `done(Result<T>)` on the connection's executor. Database faults never
// reach the client as text. A lost or unobtainable connection, or a full
// queue, becomes 503 `Service unavailable: database`. Any other failure is
// logged with the connection id and becomes 500 `Internal service error`.
template <typename Work, typename Done>
void call_database(db::Pool& pool, const std::shared_ptr<ClientConnection>& connection, Work work,
                   Done done) {
  using ResultType = decltype(work(std::declval<db::Connection&>()));
  auto finish = [connection, done = std::make_shared<Done>(std::move(done))](ResultType result) {
    boost::asio::dispatch(connection->executor(), [done, result = std::move(result)]() mutable {
      (*done)(std::move(result));
    });
  };
  auto task = [connection, work = std::move(work), finish](db::Connection& database) {
    try {
      finish(work(database));
    } catch (const db::DbError& error) {
      if (error.connection_lost()) {
        logger("db")->warn("[C{}] database connection lost: {}", connection->connection_id(),
                           error.what());
        finish(kDatabaseUnavailable);
      } else {
        logger("db")->error("[C{}] query failed (SQLSTATE {}): {}", connection->connection_id(),
                            error.sqlstate(), error.what());
        finish(kInternalError);
      }
    } catch (const std::exception& error) {
      logger("service")->error("[C{}] request failed: {}", connection->connection_id(),
                               error.what());
      finish(kInternalError);
    }
  };
  bool queued = pool.submit(std::move(task), [finish] { finish(kDatabaseUnavailable); });
  if (!queued) {
    logger("db")->warn("[C{}] database queue full; replying 503", connection->connection_id());
    finish(kDatabaseUnavailable);
  }
}

}  // namespace parley::service
