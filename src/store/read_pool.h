#pragma once
// A fixed set of read-only connections to one database. lease() hands out an
// idle connection for the caller's exclusive use, blocking while all are busy.
// Thread-safe. WAL mode lets these readers run while the writer commits.
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/result.h"
#include "store/sqlite_db.h"

namespace sb::store {

class ReadPool {
 public:
  class Lease {
   public:
    Lease(ReadPool& pool, std::unique_ptr<Db> db) : pool_(&pool), db_(std::move(db)) {}
    Lease(Lease&&) = default;
    ~Lease() { if (db_) pool_->give_back(std::move(db_)); }
    Db& operator*() { return *db_; }
    Db* operator->() { return db_.get(); }

   private:
    ReadPool* pool_;
    std::unique_ptr<Db> db_;
  };

  static Result<std::unique_ptr<ReadPool>> open(const std::string& path, int size, const Db::Options& options);

  // Blocks until a connection is idle. The lease must not outlive the pool.
  Lease lease();

 private:
  ReadPool() = default;
  void give_back(std::unique_ptr<Db> db);

  std::mutex mu_;
  std::condition_variable idle_cv_;
  std::vector<std::unique_ptr<Db>> idle_;  // GUARDED_BY(mu_)
};

}  // namespace sb::store
