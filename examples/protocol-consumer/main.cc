// register-once FILE NAME: registers NAME in the registry FILE under the
// protocol's lock (lock directory, owner record, fsynced temp + rename),
// then prints the entry. Exit 0 on success, 1 with the error otherwise.

#include <iostream>

#include "lockharness/protocol/registry_store.h"

namespace protocol = lockharness::protocol;

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: register-once FILE NAME\n";
    return 2;
  }
  const std::string name = argv[2];
  protocol::RegistryStore store(protocol::Env::Default(), argv[1], protocol::StoreOptions{});
  protocol::Status status = store.Mutate([&](protocol::Registry& registry) {
    return registry.Register(name, {{"model", "example"}}, protocol::IsoTimeNow());
  });
  if (!status.ok()) {
    std::cerr << "register-once: " << status.ToString() << "\n";
    return 1;
  }
  auto registry = store.Read();
  if (!registry.ok()) {
    std::cerr << "register-once: " << registry.status().ToString() << "\n";
    return 1;
  }
  auto entry = registry.value().Get(name);
  if (!entry.ok()) {
    std::cerr << "register-once: " << entry.status().ToString() << "\n";
    return 1;
  }
  std::cout << entry.value().dump() << "\n";
  return 0;
}
