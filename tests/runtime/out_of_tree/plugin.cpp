// A small plugin built out of tree: one blocking activity and a decider that
// uses the model library (to_string) from the installed package.
#include <swfrt/sdk.hpp>

#include <cctype>
#include <string>

namespace {

namespace model = swfrt::swf::model;

std::string shout(swfrt::sdk::activity_context&, const std::string& input) {
    std::string out;
    for (unsigned char c : input) out += static_cast<char>(std::toupper(c));
    return out + "!";
}

// Completes at once with the name of the event that started the task.
swfrt::sdk::decision_result echo(const model::decision_task& task) {
    model::decision d;
    d.decision_type = model::decision_type::complete_workflow_execution;
    d.complete_workflow_execution_decision_attributes.emplace().result_ =
        task.events.empty() ? std::string() : std::string(model::to_string(task.events.front().event_type));
    swfrt::sdk::decision_result r;
    r.decisions.push_back(std::move(d));
    return r;
}

} // namespace

SWFRT_PLUGIN(registrar) {
    swfrt::sdk::activity_registration a;
    a.type.name = std::string("shout");
    a.type.version = std::string("1");
    a.blocking = shout;
    registrar.add_activity(std::move(a));

    swfrt::sdk::workflow_registration w;
    w.type.name = std::string("echo");
    w.type.version = std::string("1");
    w.decider = echo;
    registrar.add_workflow(std::move(w));
}
