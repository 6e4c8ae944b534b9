#include "faults/ledger.hpp"

#include <algorithm>
#include <iterator>
#include <sstream>

namespace parley::faults {
namespace {

// Problem lines kept per kind, so that a badly broken run stays readable.
constexpr std::size_t kMaxProblemsPerKind = 10;

void add_problem(CheckReport& report, std::size_t count_of_kind, std::string line) {
  if (count_of_kind <= kMaxProblemsPerKind) {
    report.problems.push_back(std::move(line));
  }
}

}  // namespace

std::string CheckReport::summary() const {
  std::ostringstream text;
  text << "lost " << lost << ", duplicated " << duplicated << ", unexpected " << unexpected
       << ", out of order " << out_of_order;
  for (const std::string& problem : problems) {
    text << "\n  " << problem;
  }
  return text.str();
}

void CheckReport::merge(const CheckReport& other) {
  lost += other.lost;
  duplicated += other.duplicated;
  unexpected += other.unexpected;
  out_of_order += other.out_of_order;
  problems.insert(problems.end(), other.problems.begin(), other.problems.end());
}

void Ledger::record_acknowledged(RoomId room, MessageId id, const std::string& text) {
  std::lock_guard lock(mutex_);
  acknowledged_[room][id] = text;
}

void Ledger::record_unacknowledged(RoomId room, const std::string& text) {
  std::lock_guard lock(mutex_);
  unacknowledged_[room].insert(text);
}

std::size_t Ledger::acknowledged_count() const {
  std::lock_guard lock(mutex_);
  std::size_t count = 0;
  for (const auto& [room, messages] : acknowledged_) {
    count += messages.size();
  }
  return count;
}

std::size_t Ledger::acknowledged_count(RoomId room) const {
  std::lock_guard lock(mutex_);
  auto found = acknowledged_.find(room);
  return found == acknowledged_.end() ? 0 : found->second.size();
}

std::size_t Ledger::unacknowledged_count() const {
  std::lock_guard lock(mutex_);
  std::size_t count = 0;
  for (const auto& [room, texts] : unacknowledged_) {
    count += texts.size();
  }
  return count;
}

std::set<RoomId> Ledger::rooms() const {
  std::lock_guard lock(mutex_);
  std::set<RoomId> rooms;
  for (const auto& [room, messages] : acknowledged_) {
    rooms.insert(room);
  }
  return rooms;
}

CheckReport Ledger::check_reception(const Reception& reception) const {
  std::lock_guard lock(mutex_);
  static const std::map<MessageId, std::string> kNone;
  static const std::set<std::string> kNoTexts;
  auto acknowledged_room = acknowledged_.find(reception.room);
  const auto& acknowledged =
      acknowledged_room == acknowledged_.end() ? kNone : acknowledged_room->second;
  auto unacknowledged_room = unacknowledged_.find(reception.room);
  const auto& unacknowledged =
      unacknowledged_room == unacknowledged_.end() ? kNoTexts : unacknowledged_room->second;

  CheckReport report;
  const std::string subscriber =
      reception.subscriber + " (room " + std::to_string(reception.room) + ")";
  std::map<MessageId, std::size_t> times_received;
  for (const Received& message : reception.messages) {
    std::size_t times = ++times_received[message.id];
    if (times == 2) {
      ++report.duplicated;
      add_problem(report, report.duplicated,
                  subscriber + " received id " + std::to_string(message.id) + " '" + message.text +
                      "' more than once");
    }
    if (times > 1) {
      continue;
    }
    auto known = acknowledged.find(message.id);
    if (known != acknowledged.end()) {
      if (known->second != message.text) {
        ++report.unexpected;
        add_problem(report, report.unexpected,
                    subscriber + " received id " + std::to_string(message.id) + " with text '" +
                        message.text + "', acknowledged with '" + known->second + "'");
      }
      continue;
    }
    if (unacknowledged.count(message.text) == 0) {
      ++report.unexpected;
      add_problem(report, report.unexpected,
                  subscriber + " received id " + std::to_string(message.id) + " '" + message.text +
                      "', which no send of the test produced");
    }
  }
  for (const auto& [id, text] : acknowledged) {
    if (times_received.count(id) == 0) {
      ++report.lost;
      add_problem(
          report, report.lost,
          subscriber + " never received acknowledged id " + std::to_string(id) + " '" + text + "'");
    }
  }
  return report;
}

CheckReport Ledger::check_same_order(const std::vector<const Reception*>& receptions) const {
  std::lock_guard lock(mutex_);
  CheckReport report;
  std::vector<std::vector<MessageId>> orders;
  for (const Reception* reception : receptions) {
    auto room = acknowledged_.find(reception->room);
    std::vector<MessageId> order;
    std::set<MessageId> added;
    for (const Received& message : reception->messages) {
      bool is_acknowledged = room != acknowledged_.end() && room->second.count(message.id) != 0;
      if (is_acknowledged && added.insert(message.id).second) {
        order.push_back(message.id);
      }
    }
    orders.push_back(std::move(order));
  }
  for (std::size_t i = 1; i < orders.size(); ++i) {
    // Compares on the ids both received, so that a lost message is
    // reported once, as lost, and not also as a change of order.
    std::set<MessageId> first_ids(orders[0].begin(), orders[0].end());
    std::set<MessageId> other_ids(orders[i].begin(), orders[i].end());
    std::vector<MessageId> first_common;
    std::vector<MessageId> other_common;
    std::copy_if(orders[0].begin(), orders[0].end(), std::back_inserter(first_common),
                 [&](MessageId id) { return other_ids.count(id) != 0; });
    std::copy_if(orders[i].begin(), orders[i].end(), std::back_inserter(other_common),
                 [&](MessageId id) { return first_ids.count(id) != 0; });
    for (std::size_t k = 0; k < first_common.size(); ++k) {
      if (first_common[k] != other_common[k]) {
        ++report.out_of_order;
        add_problem(report, report.out_of_order,
                    receptions[i]->subscriber + " received id " + std::to_string(other_common[k]) +
                        " at position " + std::to_string(k) + " where " +
                        receptions[0]->subscriber + " received id " +
                        std::to_string(first_common[k]));
        break;
      }
    }
  }
  return report;
}

CheckReport Ledger::check_history(RoomId room, const std::vector<Received>& rows) const {
  std::lock_guard lock(mutex_);
  CheckReport report;
  const std::string where = "history of room " + std::to_string(room);
  std::map<MessageId, std::size_t> rows_by_id;
  std::map<std::string, std::size_t> rows_by_text;
  for (const Received& row : rows) {
    ++rows_by_id[row.id];
    if (++rows_by_text[row.text] == 2) {
      ++report.duplicated;
      add_problem(report, report.duplicated,
                  where + " stores '" + row.text + "' more than once (again as id " +
                      std::to_string(row.id) + ")");
    }
  }
  auto acknowledged = acknowledged_.find(room);
  if (acknowledged == acknowledged_.end()) {
    return report;
  }
  for (const auto& [id, text] : acknowledged->second) {
    auto stored = rows_by_id.find(id);
    if (stored == rows_by_id.end()) {
      ++report.lost;
      add_problem(report, report.lost,
                  where + " lacks acknowledged id " + std::to_string(id) + " '" + text + "'");
    } else if (stored->second > 1) {
      ++report.duplicated;
      add_problem(report, report.duplicated,
                  where + " stores id " + std::to_string(id) + " " +
                      std::to_string(stored->second) + " times");
    }
  }
  return report;
}

bool Ledger::is_complete(const Reception& reception) const {
  std::lock_guard lock(mutex_);
  auto acknowledged = acknowledged_.find(reception.room);
  if (acknowledged == acknowledged_.end()) {
    return true;
  }
  std::set<MessageId> received;
  for (const Received& message : reception.messages) {
    received.insert(message.id);
  }
  return std::all_of(acknowledged->second.begin(), acknowledged->second.end(),
                     [&](const auto& entry) { return received.count(entry.first) != 0; });
}

}  // namespace parley::faults
