#include "client/replay_filter.hpp"

namespace parley::client {

ReplayFilter::ReplayFilter(std::size_t capacity) : capacity_(capacity), seen_(capacity) {}

void ReplayFilter::reset(RoomId room, MessageId resume_after) {
  room_ = room;
  last_id_ = resume_after;
  seen_ = RecentIds(capacity_);
  // The message the subscription resumes after was seen already, for
  // example as the newest line of the history that the caller printed.
  if (resume_after > 0) {
    seen_.insert(resume_after);
  }
}

void ReplayFilter::clear() {
  room_.reset();
  last_id_ = 0;
  seen_ = RecentIds(capacity_);
}

bool ReplayFilter::accept(const MessageInfo& message) {
  if (room_ != message.room_id) {
    ++other_room_dropped_;
    return false;
  }
  if (!message.id) {
    return true;
  }
  if (!seen_.insert(*message.id)) {
    ++duplicates_dropped_;
    return false;
  }
  last_id_ = *message.id;
  return true;
}

}  // namespace parley::client
