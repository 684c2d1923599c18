// SigV4 signing of one SWF PollForDecisionTask request, against botocore's
// SigV4Auth signing the same request in the same run (bench/sign_baseline.py).
#include "swf/auth/signer.hpp"

#include <benchmark/benchmark.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace {

using namespace swfrt::swf;

// Keep in sync with bench/sign_baseline.py.
const auto signing_time = std::chrono::sys_days{std::chrono::year{2024} / 1 / 2} + std::chrono::hours{3} +
                          std::chrono::minutes{4} + std::chrono::seconds{5};
constexpr const char* signing_timestamp = "20240102T030405Z";

http::request swf_request() {
    http::request req;
    req.method = "POST";
    req.target = "/";
    req.headers = {{"Host", "swf.us-east-1.amazonaws.com"},
                   {"Content-Type", "application/x-amz-json-1.0"},
                   {"X-Amz-Target", "SimpleWorkflowService.PollForDecisionTask"}};
    req.body =
        R"({"domain":"orders-prod","taskList":{"name":"order-decisions"},)"
        R"("identity":"worker-7f3c@ip-10-0-12-34.ec2.internal:4242","maximumPageSize":1000,)"
        R"("reverseOrder":false,"startAtPreviousStartedEvent":true,)"
        R"("nextPageToken":"AAAAKgAAAAIAAAAAAAAAAzsvvH5L7tEXAMPLEtokenAAAAAAAAAAAAAAAAAAAAAAAAAAAA=="})";
    return req;
}

auth::credentials swf_credentials() {
    auth::credentials c;
    c.access_key_id = "ASIAEXAMPLEEXAMPLE01";
    c.secret_access_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    c.session_token = "IQoJb3JpZ2luX2VjEXAMPLEaCXVzLWVhc3QtMSJHMEUCIQDexampleexampleexampleexampleexample"
                      "AiBexampleexampleexampleexampleexampleexampleKpwDCBAQARoMMTIzNDU2Nzg5MDEyIgxexample"
                      "exampleexampleexampleexampleexampleexampleexampleexampleexampleexampleexample==";
    return c;
}

auth::signer& shared_signer() {
    static auth::signer s("us-east-1", "swf");
    return s;
}

// The same request re-signed each iteration, as a retry is: the previous
// signing headers are dropped first. botocore's baseline does the same.
void BM_sign_swf_request(benchmark::State& state) {
    auth::signer& signer = shared_signer();
    const auth::credentials creds = swf_credentials();
    http::request req = swf_request();
    for (auto _ : state) {
        auto res = signer.sign(req, creds, signing_time);
        benchmark::DoNotOptimize(res);
        if (!res) state.SkipWithError("signing failed");
    }
}
// Threads(2) shows what the signing-key cache lock costs under contention.
BENCHMARK(BM_sign_swf_request)->Threads(1)->Threads(2)->UseRealTime();

// A signer that has never signed derives the key: four more HMACs.
void BM_sign_swf_request_cold_key(benchmark::State& state) {
    const auth::credentials creds = swf_credentials();
    http::request req = swf_request();
    for (auto _ : state) {
        auth::signer signer("us-east-1", "swf");
        auto res = signer.sign(req, creds, signing_time);
        benchmark::DoNotOptimize(res);
    }
}
BENCHMARK(BM_sign_swf_request_cold_key);

class capturing_reporter : public benchmark::ConsoleReporter {
public:
    using ConsoleReporter::ConsoleReporter;
    double ns_per_sign = 0; // single-threaded BM_sign_swf_request; the median with --benchmark_repetitions

    void ReportRuns(const std::vector<Run>& runs) override {
        for (const auto& run : runs) {
            if (run.threads != 1 || run.error_occurred || run.iterations <= 0 ||
                run.run_name.function_name != "BM_sign_swf_request")
                continue;
            const bool median = run.run_type == Run::RT_Aggregate && run.aggregate_name == "median";
            if (median || (run.run_type == Run::RT_Iteration && !have_median_)) {
                ns_per_sign =
                    run.GetAdjustedRealTime() / benchmark::GetTimeUnitMultiplier(run.time_unit) * 1e9;
                have_median_ = median;
            }
        }
        ConsoleReporter::ReportRuns(runs);
    }

private:
    bool have_median_ = false;
};

struct baseline_result {
    bool ok = false;
    std::string reason;
    std::string signature;
    double ns_per_request = 0;
};

baseline_result run_botocore_baseline() {
    baseline_result out;
    const std::string cmd = std::string("python3 '") + SWFRT_SOURCE_DIR +
                            "/bench/sign_baseline.py' --iterations 3000 --timestamp " + signing_timestamp +
                            " 2>/dev/null";
    FILE* pipe = ::popen(cmd.c_str(), "r");
    if (pipe == nullptr) {
        out.reason = "cannot start python3";
        return out;
    }
    std::string text;
    std::array<char, 256> buf{};
    while (std::fgets(buf.data(), static_cast<int>(buf.size()), pipe) != nullptr)
        text += buf.data();
    const int status = ::pclose(pipe);
    const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    if (code == 127) {
        out.reason = "python3 not found";
        return out;
    }
    if (code == 2) {
        out.reason = "botocore is not installed (pip install boto3)";
        return out;
    }
    if (code != 0) {
        out.reason = "sign_baseline.py failed with exit code " + std::to_string(code);
        return out;
    }
    std::array<char, 128> sig{};
    const auto pos = text.find("signature ");
    const auto ns = text.find("ns_per_request ");
    if (pos == std::string::npos || ns == std::string::npos ||
        std::sscanf(text.c_str() + pos, "signature %127s", sig.data()) != 1 ||
        std::sscanf(text.c_str() + ns, "ns_per_request %lf", &out.ns_per_request) != 1) {
        out.reason = "unexpected output from sign_baseline.py";
        return out;
    }
    out.signature = sig.data();
    out.ok = true;
    return out;
}

} // namespace

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    capturing_reporter reporter(::isatty(STDOUT_FILENO) != 0 ? benchmark::ConsoleReporter::OO_Color
                                                             : benchmark::ConsoleReporter::OO_None);
    benchmark::RunSpecifiedBenchmarks(&reporter);
    benchmark::Shutdown();

    http::request req = swf_request();
    auto ours = shared_signer().sign(req, swf_credentials(), signing_time);
    if (!ours) {
        std::printf("signing failed: %s\n", ours.error().to_string().c_str());
        return 1;
    }

    std::printf("\nSigV4 sign, SWF PollForDecisionTask (%zu byte body, session token)\n", req.body.size());
    if (reporter.ns_per_sign > 0)
        std::printf("  swf-runtime signer : %10.0f ns/request\n", reporter.ns_per_sign);
    else
        std::printf("  swf-runtime signer : not measured (BM_sign_swf_request filtered out)\n");

    const baseline_result base = run_botocore_baseline();
    if (!base.ok) {
        std::printf("  botocore SigV4Auth : skipped, %s\n", base.reason.c_str());
        return 0;
    }
    std::printf("  botocore SigV4Auth : %10.0f ns/request\n", base.ns_per_request);
    if (reporter.ns_per_sign > 0)
        std::printf("  ratio              : %10.1fx faster than botocore\n",
                    base.ns_per_request / reporter.ns_per_sign);
    const bool same = base.signature == ours->signature;
    std::printf("  signatures         : %s\n", same ? "identical" : "DIFFER (botocore and we disagree)");
    return same ? 0 : 1;
}
