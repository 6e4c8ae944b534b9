#include "support/postgres_server.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

namespace parley::testing {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr const char* kSuperuser = "parley";

// The account the server runs as. PostgreSQL refuses to run as root, so a
// root test process switches to the `postgres` system user.
struct ServerUser {
  bool switch_user = false;
  uid_t uid = 0;
  gid_t gid = 0;
};

ServerUser server_user() {
  if (geteuid() != 0) return {};
  const passwd* entry = getpwnam("postgres");
  if (entry == nullptr) {
    throw std::runtime_error(
        "running as root, but there is no `postgres` user to run PostgreSQL as");
  }
  return {true, entry->pw_uid, entry->pw_gid};
}

std::uint16_t free_port() {
  const int socket_fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (socket_fd < 0) throw std::runtime_error("socket() failed: " + std::string(strerror(errno)));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof(address);
  if (::bind(socket_fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      ::getsockname(socket_fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    ::close(socket_fd);
    throw std::runtime_error("binding a loopback port failed: " + std::string(strerror(errno)));
  }
  ::close(socket_fd);
  return ntohs(address.sin_port);
}

// Starts `argv` with stdout and stderr appended to `log_path`, in
// `directory`, as `user`. Between fork() and exec() the child makes only
// async-signal-safe calls, because the test process may have threads.
pid_t spawn(const std::vector<std::string>& argv, const std::string& directory,
            const std::string& log_path, const ServerUser& user) {
  std::vector<char*> arguments;
  for (const std::string& argument : argv) arguments.push_back(const_cast<char*>(argument.c_str()));
  arguments.push_back(nullptr);

  const int log_fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) throw std::runtime_error("cannot open " + log_path + ": " + strerror(errno));
  if (user.switch_user && ::fchown(log_fd, user.uid, user.gid) != 0) {
    ::close(log_fd);
    throw std::runtime_error("cannot chown " + log_path + ": " + strerror(errno));
  }
  const pid_t parent = ::getpid();

  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(log_fd);
    throw std::runtime_error("fork() failed: " + std::string(strerror(errno)));
  }
  if (pid == 0) {
    ::dup2(log_fd, STDOUT_FILENO);
    ::dup2(log_fd, STDERR_FILENO);
    const int null_fd = ::open("/dev/null", O_RDONLY);
    if (null_fd >= 0) ::dup2(null_fd, STDIN_FILENO);
    if (::chdir(directory.c_str()) != 0) ::_exit(126);
    if (user.switch_user) {
      if (::setgroups(1, &user.gid) != 0 || ::setgid(user.gid) != 0 || ::setuid(user.uid) != 0) {
        ::_exit(126);
      }
    }
    // Changing credentials clears the parent-death signal, so set it after.
    // It stops the server if the test process dies without stopping it.
    ::prctl(PR_SET_PDEATHSIG, SIGINT);
    if (::getppid() != parent) ::_exit(126);
    ::execv(arguments[0], arguments.data());
    ::_exit(127);
  }
  ::close(log_fd);
  return pid;
}

// Waits for `pid` to exit until `deadline`. Returns the wait status, or
// std::nullopt when the deadline passed first.
std::optional<int> wait_for_exit(pid_t pid, Clock::time_point deadline) {
  while (true) {
    int status = 0;
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) return status;
    if (done < 0 && errno != EINTR) return 0;
    if (Clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(20ms);
  }
}

std::string describe_status(int status) {
  if (WIFEXITED(status)) return "exit code " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return "signal " + std::to_string(WTERMSIG(status));
  return "status " + std::to_string(status);
}

std::string read_tail(const std::string& path, std::size_t max_bytes = 2000) {
  std::ifstream file(path);
  std::stringstream content;
  content << file.rdbuf();
  std::string text = content.str();
  if (text.size() > max_bytes) text = "..." + text.substr(text.size() - max_bytes);
  return text;
}

}  // namespace

std::unique_ptr<PostgresServer> PostgresServer::start(std::chrono::milliseconds startup_timeout) {
  const ServerUser user = server_user();
  std::unique_ptr<PostgresServer> server(new PostgresServer());
  const char* bin_dir = std::getenv("PARLEY_POSTGRES_BIN_DIR");
  server->bin_dir_ = bin_dir != nullptr ? bin_dir : "/usr/lib/postgresql/15/bin";

  char directory_template[] = "/tmp/parley-pg-XXXXXX";
  if (::mkdtemp(directory_template) == nullptr) {
    throw std::runtime_error("mkdtemp failed: " + std::string(strerror(errno)));
  }
  server->directory_ = directory_template;
  if (user.switch_user && ::chown(server->directory_.c_str(), user.uid, user.gid) != 0) {
    throw std::runtime_error("cannot chown " + server->directory_ + ": " + strerror(errno));
  }

  const std::string initdb_log = server->directory_ + "/initdb.log";
  const pid_t initdb =
      spawn({server->bin_dir_ + "/initdb", "-D", server->directory_ + "/data", "-U", kSuperuser,
             "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"},
            server->directory_, initdb_log, user);
  const std::optional<int> status = wait_for_exit(initdb, Clock::now() + startup_timeout);
  if (!status) {
    ::kill(initdb, SIGKILL);
    wait_for_exit(initdb, Clock::now() + 5s);
    throw std::runtime_error("initdb timed out; output:\n" + read_tail(initdb_log));
  }
  if (!WIFEXITED(*status) || WEXITSTATUS(*status) != 0) {
    throw std::runtime_error("initdb failed with " + describe_status(*status) + "; output:\n" +
                             read_tail(initdb_log));
  }
  server->launch(startup_timeout);
  return server;
}

void PostgresServer::launch(std::chrono::milliseconds startup_timeout) {
  const ServerUser user = server_user();
  const auto deadline = Clock::now() + startup_timeout;
  // The port can be taken between free_port() and the server's bind, so a
  // failed start is tried again on another port, unless this is a restart,
  // which must keep its port.
  const bool keep_port = port_ != 0;
  for (int attempt = 1;; ++attempt) {
    if (!keep_port) port_ = free_port();
    pid_ = spawn({bin_dir_ + "/postgres", "-D", directory_ + "/data", "-p", std::to_string(port_),
                  "-k", directory_, "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c",
                  "synchronous_commit=off", "-c", "full_page_writes=off"},
                 directory_, directory_ + "/postgres.log", user);

    const std::string target = conninfo();
    while (Clock::now() < deadline) {
      if (PQping(target.c_str()) == PQPING_OK) return;
      if (const std::optional<int> status = wait_for_exit(pid_, Clock::now())) {
        pid_ = -1;
        if (attempt < 3 && !keep_port) break;
        throw std::runtime_error("postgres exited with " + describe_status(*status) + "; log:\n" +
                                 log_tail());
      }
      std::this_thread::sleep_for(50ms);
    }
    if (pid_ > 0) {
      stop();
      throw std::runtime_error("postgres did not accept connections in time; log:\n" + log_tail());
    }
  }
}

PostgresServer::~PostgresServer() {
  stop();
  std::error_code ignored;
  std::filesystem::remove_all(directory_, ignored);
}

void PostgresServer::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGINT);
  if (!wait_for_exit(pid_, Clock::now() + 30s)) {
    ::kill(pid_, SIGKILL);
    wait_for_exit(pid_, Clock::now() + 5s);
  }
  pid_ = -1;
}

void PostgresServer::restart() {
  if (running()) throw std::runtime_error("restart() needs a stopped server; call stop() first");
  launch(std::chrono::seconds(60));
}

void PostgresServer::create_database(const std::string& name) {
  PGconn* conn = PQconnectdb(conninfo().c_str());
  std::string error;
  if (PQstatus(conn) != CONNECTION_OK) {
    error = PQerrorMessage(conn);
  } else {
    char* quoted = PQescapeIdentifier(conn, name.c_str(), name.size());
    PGresult* result = PQexec(conn, ("CREATE DATABASE " + std::string(quoted)).c_str());
    PQfreemem(quoted);
    if (PQresultStatus(result) != PGRES_COMMAND_OK) error = PQresultErrorMessage(result);
    PQclear(result);
  }
  PQfinish(conn);
  if (!error.empty()) throw std::runtime_error("CREATE DATABASE " + name + " failed: " + error);
}

std::string PostgresServer::conninfo(const std::string& database) const {
  return "host=127.0.0.1 port=" + std::to_string(port_) + " user=" + kSuperuser +
         " dbname=" + database + " connect_timeout=5";
}

std::string PostgresServer::log_tail() const { return read_tail(directory_ + "/postgres.log"); }

}  // namespace parley::testing
