#pragma once
// A Publisher that forwards every event to several publishers (the WebSocket
// hub, telephony, ...), in the order they were added. Add all before
// Core::start(); publish() runs on the routing thread.
#include <vector>

#include "service/core.h"

namespace sb::service {

class Fanout final : public Publisher {
 public:
  void add(Publisher& p) { targets_.push_back(&p); }
  void publish(const Published& e) override {
    for (Publisher* p : targets_) p->publish(e);
  }

 private:
  std::vector<Publisher*> targets_;
};

}  // namespace sb::service
