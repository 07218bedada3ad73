import ArgumentParser
import ControllerRuntime
import OAMControllers
import Resources

/// `mizzen controller`'s sharding options: `--shard I/N` (hash mode) and `--shard-selector`
/// (label mode), alone or together.
struct ShardOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Run as shard I of N (numbered from 0): own the namespaces whose name's FNV-1a hash mod N is I, under the Lease <leader-election-id>-shard-I (leader election is implied).",
        valueName: "I/N"))
    var shard: String?

    @Option(help: ArgumentHelp(
        "Own only the namespaces whose labels match this selector, e.g. mizzen.dev/shard=a (read when a namespace is first seen; relabelling takes effect at restart).",
        valueName: "selector"))
    var shardSelector: String?

    func validate() throws {
        if let shard {
            do {
                _ = try Shard(parsing: shard)
            } catch {
                throw ValidationError("--shard \(error)")
            }
        }
        if let shardSelector {
            do {
                _ = try LabelSelector(parsing: shardSelector)
            } catch {
                throw ValidationError("--shard-selector \(shardSelector): \(error)")
            }
        }
    }

    /// The sharding of the process; `nil` when it owns every namespace.
    func sharding(leasePrefix: String) throws -> ControllerSharding? {
        let selector = try shardSelector.map { try LabelSelector(parsing: $0) }
        guard shard != nil || selector != nil else { return nil }
        return ControllerSharding(shard: try shard.map { try Shard(parsing: $0) }, selector: selector, leasePrefix: leasePrefix)
    }
}
