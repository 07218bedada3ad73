import OrderedCollections
import Resources
import Testing
@testable import mizzen

/// The pure parts of the daily-use commands: output shape, colour rules, health rules, durations.
@Suite("CLI support: tables, colour, health, durations")
struct CLISupportTests {
    @Test("a table is aligned on a terminal and tab-separated when piped; cells never hold tabs or newlines")
    func table() {
        let table = Table(["NAME", "HEALTH"], rows: [["shop", "healthy"], ["a\tlong\nname", "progressing"]])
        #expect(table.render(on: .plain) == "NAME\tHEALTH\nshop\thealthy\na long name\tprogressing\n")
        let tty = Terminal(isTTY: true, colors: false, width: 80)
        #expect(table.render(on: tty) == "NAME          HEALTH\nshop          healthy\na long name   progressing\n")
        #expect(Table(["NAME"]).render(on: tty).isEmpty)
    }

    @Test("colour only on a terminal, never with NO_COLOR, TERM=dumb or --no-color")
    func colour() {
        let colored = Terminal(isTTY: true, colors: true, width: 80)
        #expect(colored.paint("ok", .green) == "\u{1B}[32mok\u{1B}[0m")
        #expect(Terminal.plain.paint("ok", .green) == "ok")
        // The tests' standard output is a pipe: never coloured, whatever the environment says.
        #expect(!Terminal.detect(noColor: false, environment: [:]).colors)
        #expect(!Terminal.detect(noColor: true, environment: [:]).colors)
        #expect(!Terminal.detect(noColor: false, environment: ["NO_COLOR": "1"]).colors)
    }

    @Test("durations: 90, 30s, 5m, 1h, 1m30s; anything else is refused")
    func durations() {
        #expect(WaitDuration(argument: "90")?.seconds == 90)
        #expect(WaitDuration(argument: "30s")?.seconds == 30)
        #expect(WaitDuration(argument: "5m")?.seconds == 300)
        #expect(WaitDuration(argument: "1h")?.seconds == 3600)
        #expect(WaitDuration(argument: "1m30s")?.seconds == 90)
        #expect(WaitDuration(argument: "soon") == nil)
        #expect(WaitDuration(argument: "5x") == nil)
        #expect(WaitDuration(argument: "5m3") == nil)
        #expect(WaitDuration(seconds: 300).description == "5m")
    }

    @Test("Deployment health: replicas available and updated, generation observed; a failing condition is unhealthy")
    func deploymentHealth() throws {
        func deployment(replicas: Int64, available: Int64, updated: Int64, generation: Int64 = 1, observed: Int64 = 1,
                        conditions: [JSONValue] = []) -> Resource {
            Resource(object: [
                "apiVersion": "apps/v1", "kind": "Deployment",
                "metadata": ["name": "web", "generation": .int(generation)],
                "spec": ["replicas": .int(replicas)],
                "status": [
                    "availableReplicas": .int(available), "updatedReplicas": .int(updated),
                    "observedGeneration": .int(observed), "conditions": .array(conditions),
                ],
            ])
        }
        #expect(HealthRules.evaluate(deployment(replicas: 2, available: 2, updated: 2))
            == .init(health: .healthy, detail: "2/2 available"))
        #expect(HealthRules.evaluate(deployment(replicas: 2, available: 1, updated: 2)).health == .progressing)
        #expect(HealthRules.evaluate(deployment(replicas: 2, available: 2, updated: 1)).health == .progressing)
        #expect(HealthRules.evaluate(deployment(replicas: 2, available: 2, updated: 2, generation: 2, observed: 1))
            == .init(health: .progressing, detail: "generation 2 not observed yet"))
        let stuck = deployment(replicas: 2, available: 0, updated: 0, conditions: [
            ["type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded", "message": "too slow"],
        ])
        #expect(HealthRules.evaluate(stuck) == .init(health: .unhealthy, detail: "Progressing: too slow"))
    }

    @Test("other kinds: a HealthScope by its healthStatus, unknown kinds by their conditions or unknown")
    func otherHealth() {
        let scope = Resource(object: [
            "apiVersion": "core.oam.dev/v1alpha2", "kind": "HealthScope", "metadata": ["name": "h"],
            "status": ["scopeHealthCondition": ["healthStatus": "UNHEALTHY", "total": 2, "unhealthyWorkloads": 1]],
        ])
        #expect(HealthRules.evaluate(scope) == .init(health: .unhealthy, detail: "1/2 workloads unhealthy"))
        let failing = Resource(object: [
            "apiVersion": "example.com/v1", "kind": "Route", "metadata": ["name": "r"],
            "status": ["conditions": [["type": "Synced", "status": "False", "reason": "ReconcileError", "message": "no host"]]],
        ])
        #expect(HealthRules.evaluate(failing) == .init(health: .unhealthy, detail: "Synced: no host"))
        let silent = Resource(object: ["apiVersion": "example.com/v1", "kind": "Route", "metadata": ["name": "r"]])
        #expect(HealthRules.evaluate(silent).health == .unknown)
        #expect([Health.healthy, .unhealthy, .progressing].max() == .unhealthy)
    }
}
