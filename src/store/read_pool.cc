#include "store/read_pool.h"

namespace sb::store {

Result<std::unique_ptr<ReadPool>> ReadPool::open(const std::string& path, int size, const Db::Options& options) {
  std::unique_ptr<ReadPool> pool(new ReadPool());
  Db::Options read = options;
  read.read_only = true;
  for (int i = 0; i < size; ++i) {
    auto db = Db::open(path, read);
    if (!db.ok()) return db.error();
    pool->idle_.push_back(std::move(*db));
  }
  return pool;
}

ReadPool::Lease ReadPool::lease() {
  std::unique_lock lock(mu_);
  idle_cv_.wait(lock, [this] { return !idle_.empty(); });
  std::unique_ptr<Db> db = std::move(idle_.back());
  idle_.pop_back();
  return Lease(*this, std::move(db));
}

void ReadPool::give_back(std::unique_ptr<Db> db) {
  {
    std::lock_guard lock(mu_);
    idle_.push_back(std::move(db));
  }
  idle_cv_.notify_one();
}

}  // namespace sb::store
