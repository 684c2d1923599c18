// A program built out of tree against SwfRuntime::client: starts a trip,
// signals it, and prints how a closed execution ended. Region, endpoint
// and credentials come from the environment, as for any AWS tool.
//   trip_client start DOMAIN WORKFLOW_ID INPUT     prints the run id
//   trip_client signal DOMAIN WORKFLOW_ID NAME INPUT
//   trip_client status DOMAIN WORKFLOW_ID RUN_ID   prints OPEN or the close status
#include <swfrt/client.hpp>

#include <iostream>
#include <string>

namespace model = swfrt::swf::model;
namespace client = swfrt::swf::client;

int main(int argc, char** argv) {
    const std::string cmd = argc > 1 ? argv[1] : "";
    if (!((cmd == "start" && argc == 5) || (cmd == "signal" && argc == 6) || (cmd == "status" && argc == 5))) {
        std::cerr << "usage: trip_client start DOMAIN WORKFLOW_ID INPUT | signal DOMAIN WORKFLOW_ID NAME INPUT | "
                     "status DOMAIN WORKFLOW_ID RUN_ID\n";
        return 2;
    }
    auto c = client::blocking_client::from_environment({});
    if (!c) {
        std::cerr << c.error().to_string() << "\n";
        return 1;
    }
    auto& swf = **c;
    if (cmd == "start") {
        model::start_workflow_execution_input in;
        in.domain = argv[2];
        in.workflow_id = argv[3];
        in.workflow_type = {.name = "trip", .version = "1"};
        in.input = argv[4];
        auto r = swf.start_workflow_execution(std::move(in));
        if (!r) {
            std::cerr << r.error().to_string() << "\n";
            return 1;
        }
        std::cout << r->run_id.value_or("") << "\n";
    } else if (cmd == "signal") {
        model::signal_workflow_execution_input in;
        in.domain = argv[2];
        in.workflow_id = argv[3];
        in.signal_name = argv[4];
        in.input = argv[5];
        auto r = swf.signal_workflow_execution(std::move(in));
        if (!r) {
            std::cerr << r.error().to_string() << "\n";
            return 1;
        }
    } else {
        model::describe_workflow_execution_input in;
        in.domain = argv[2];
        in.execution = {.run_id = argv[4], .workflow_id = argv[3]};
        auto r = swf.describe_workflow_execution(std::move(in));
        if (!r) {
            std::cerr << r.error().to_string() << "\n";
            return 1;
        }
        const auto& info = r->execution_info;
        if (info.execution_status == model::execution_status::open)
            std::cout << "OPEN\n";
        else
            std::cout << model::to_string(info.close_status.value_or(model::close_status::unknown_to_sdk)) << "\n";
    }
    return 0;
}
