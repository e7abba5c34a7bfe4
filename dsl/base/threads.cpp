#include "dsl/base/threads.hpp"

#include <pthread.h>

#include <exception>
#include <vector>

namespace hoshu {

namespace {

struct Job {
    const std::function<void(unsigned)>* work = nullptr;
    unsigned index = 0;
    std::exception_ptr thrown;   // what work(index) threw: no exception may leave a thread
};

void run_job(Job& job) {
    try {
        (*job.work)(job.index);
    } catch (...) {
        job.thrown = std::current_exception();
    }
}

}  // namespace

void run_on_large_stacks(unsigned n, std::size_t stack_bytes, const std::function<void(unsigned)>& work) {
    std::vector<Job> jobs(n);
    std::vector<pthread_t> threads;
    std::vector<unsigned> here;   // shares no thread could be created for
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, stack_bytes);
    for (unsigned i = 0; i < n; ++i) {
        jobs[i].work = &work;
        jobs[i].index = i;
        auto body = [](void* p) -> void* {
            run_job(*static_cast<Job*>(p));
            return nullptr;
        };
        pthread_t t;
        if (pthread_create(&t, &attr, body, &jobs[i]) == 0) {
            threads.push_back(t);
        } else {
            here.push_back(i);
        }
    }
    pthread_attr_destroy(&attr);
    for (unsigned i : here) run_job(jobs[i]);
    for (auto t : threads) pthread_join(t, nullptr);
    for (const Job& job : jobs)
        if (job.thrown) std::rethrow_exception(job.thrown);
}

}  // namespace hoshu
