#include "dsl/base/threads.hpp"

#include <pthread.h>

#include <vector>

namespace hoshu {

void run_on_large_stacks(unsigned n, std::size_t stack_bytes, const std::function<void(unsigned)>& work) {
    struct Job {
        const std::function<void(unsigned)>* work;
        unsigned index;
    };
    std::vector<Job> jobs(n);
    std::vector<pthread_t> threads;
    std::vector<unsigned> here;   // shares no thread could be created for
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, stack_bytes);
    for (unsigned i = 0; i < n; ++i) {
        jobs[i] = Job{&work, i};
        auto body = [](void* p) -> void* {
            auto* job = static_cast<Job*>(p);
            (*job->work)(job->index);
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
    for (unsigned i : here) work(i);
    for (auto t : threads) pthread_join(t, nullptr);
}

}  // namespace hoshu
