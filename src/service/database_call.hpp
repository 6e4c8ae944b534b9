#pragma once

#include <exception>
#include <memory>
#include <string>
#include <utility>

#include <boost/asio/dispatch.hpp>
#include <fmt/format.h>

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

// Logs the exception being handled, prefixed with `request` (a client
// connection as "[C42]", or the batch it served), and returns the error the
// client gets. A lost connection is 503 `Service unavailable: database`.
// Any other failure is 500 `Internal service error`, so database faults
// never reach the client as text. Call only inside a catch block.
inline Error database_failure(const std::string& request) {
  try {
    throw;
  } catch (const db::DbError& error) {
    if (error.connection_lost()) {
      logger("db")->warn("{} database connection lost: {}", request, error.what());
      return kDatabaseUnavailable;
    }
    logger("db")->error("{} query failed (SQLSTATE {}): {}", request, error.sqlstate(),
                        error.what());
  } catch (const std::exception& error) {
    logger("service")->error("{} request failed: {}", request, error.what());
  }
  return kInternalError;
}

// Runs `work(db::Connection&) -> Result<T>` on a database pool thread and
// then `done(Result<T>)` on the connection's executor. A failure becomes the
// error of database_failure(); an unobtainable connection or a full queue
// becomes 503 `Service unavailable: database`.
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
    } catch (const std::exception&) {
      finish(database_failure(fmt::format("[C{}]", connection->connection_id())));
    }
  };
  bool queued = pool.submit(std::move(task), [finish] { finish(kDatabaseUnavailable); });
  if (!queued) {
    logger("db")->warn("[C{}] database queue full; replying 503", connection->connection_id());
    finish(kDatabaseUnavailable);
  }
}

}  // namespace parley::service
