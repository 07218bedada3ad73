import Foundation
import Testing

/// The differential test's own parts, checked without either server: what normalisation hides
/// and what it keeps, and that the script and its accepted differences hold together.
@Suite("differential test: normalisation and script")
struct DifferentialScriptTests {
    let normalizer = OutputNormalizer(runID: "qxkvzt")

    @Test("values that differ by nature become placeholders")
    func placeholders() {
        let text = """
            uid: 0b4f1a9e-3c2d-4e5f-8a7b-6c5d4e3f2a1b
            creationTimestamp: "2026-12-07T04:31:02Z"
            time: 2026-12-07T04:31:02.123456Z
            resourceVersion: "48213"
            "resourceVersion": "7"
            "resourceVersion" : "8"
            clusterIP: 10.96.14.2
            nodePort: 31234
            server: https://127.0.0.1:6443/api
            token eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl
            --- /tmp/LIVE-123/v1.ConfigMap.a 2026-12-07 05:07:45.233841978 +0000
            80:31877/TCP ["web", "16s", 0]
            """
        #expect(normalizer.normalize(text) == """
            uid: <uid>
            creationTimestamp: "<time>"
            time: <time>
            resourceVersion: "<rv>"
            "resourceVersion": "<rv>"
            "resourceVersion" : "<rv>"
            clusterIP: <ip>
            nodePort: <port>
            server: <server>/api
            token <jwt>
            --- /tmp/LIVE-<n>/v1.ConfigMap.a <time>
            80:<port>/TCP ["web", "<age>", 0]
            """)
    }

    @Test("the run's name, table padding and ages are normalised; values stay")
    func tables() {
        let ours = "NAME      DATA   AGE\nlist-1    1      0s\ndiff-qxkvzt   2   3m4s  "
        let theirs = "NAME     DATA   AGE\nlist-1   1      12s\ndiff-qxkvzt     2     <invalid>"
        #expect(normalizer.normalize(ours) == normalizer.normalize(theirs))
        #expect(normalizer.normalize(ours).contains("diff-RUN"))
        #expect(normalizer.normalize("NAME   DATA\nlist-1   1") != normalizer.normalize("NAME   DATA\nlist-1   2"))
        #expect(normalizer.normalize("a:\n  b:\n    c: 1") == "a:\n  b:\n    c: 1", "indentation is kept")
    }

    @Test("the causes kubectl lists for a 422 compare in any order; other lines keep theirs")
    func causeLists() {
        let ours = "The Widget \"w\" is invalid:\n* spec.size: too small\n* spec.colour: unsupported\nexit"
        let theirs = "The Widget \"w\" is invalid:\n* spec.colour: unsupported\n* spec.size: too small\nexit"
        #expect(normalizer.normalize(ours) == normalizer.normalize(theirs))
        #expect(normalizer.normalize("b\na") != normalizer.normalize("a\nb"))
    }

    @Test("values that are not ages or ids are kept")
    func keeps() {
        let text = "port: 8080\nimage: nginx:1.27\nreplicas: 3\nname: web-5s"
        #expect(normalizer.normalize(text) == text)
    }

    @Test("the controllers session hides generated names and rollout progress; the API session keeps them")
    func generatedNames() {
        let workloads = OutputNormalizer(runID: "qxkvzt", generatedNames: true)
        let text = """
            Waiting for deployment "web" rollout to finish: 1 of 3 updated replicas are available...
            deployment "web" successfully rolled out
            web-7d9f8b6c4d-x2k9p Running
            web-7d9f8b6c4d 3
            pi-zx7wq Completed
            pod-template-hash:7d9f8b6c4d
            nginx:1.27 web-db
            """
        #expect(workloads.normalize(text) == """
            deployment "web" successfully rolled out
            web-<hash>-<suffix> Running
            web-<hash> 3
            pi-<suffix> Completed
            pod-template-hash:<hash>
            nginx:1.27 web-db
            """)
        #expect(normalizer.normalize("web-7d9f8b6c4d-x2k9p") == "web-7d9f8b6c4d-x2k9p")
    }

    @Test("kubectl's version-skew warning is not a difference between servers")
    func skewWarning() {
        let text = "WARNING: version difference between client (1.32) and server (1.36) exceeds the supported minor version skew of +/-1\nok"
        #expect(normalizer.normalize(text) == "ok")
    }

    @Test("JSON bodies compare with sorted keys; watch streams line by line")
    func canonicalBodies() {
        let a = DifferentialRunner.canonicalBody(Data(#"{"b":1,"a":{"d":2,"c":3}}"#.utf8))
        let b = DifferentialRunner.canonicalBody(Data(#"{"a":{"c":3,"d":2},"b":1}"#.utf8))
        #expect(a == b)
        let stream = DifferentialRunner.canonicalBody(Data("{\"type\":\"ADDED\",\"a\":1}\n{\"type\":\"DELETED\"}\n".utf8))
        #expect(stream.components(separatedBy: "\n").filter { $0.contains("\"type\"") }.count == 2)
        #expect(DifferentialRunner.canonicalBody(Data("404 page not found".utf8)) == "404 page not found")
        let ours = DifferentialRunner.canonicalBody(Data(#"{"kind":"Status","code":400,"reason":"BadRequest","message":"ours"}"#.utf8))
        let theirs = DifferentialRunner.canonicalBody(Data(#"{"kind":"Status","code":400,"reason":"BadRequest","message":"theirs"}"#.utf8))
        #expect(ours == theirs, "a Status's wording is for people")
        let other = DifferentialRunner.canonicalBody(Data(#"{"kind":"Status","code":422,"reason":"Invalid","message":"ours"}"#.utf8))
        #expect(ours != other, "its code and reason are compared")
    }

    @Test("step ids are unique and every area has steps")
    func script() {
        let all = DifferentialScript.steps + DifferentialScript.workloadSteps
        let ids = all.map(\.id)
        #expect(Set(ids).count == ids.count, "duplicate ids: \(Dictionary(grouping: ids) { $0 }.filter { $1.count > 1 }.keys.sorted())")
        for area in DifferentialArea.allCases {
            #expect(all.contains { $0.area == area }, "no step covers \(area.rawValue)")
        }
        #expect(DifferentialScript.steps.allSatisfy { !DifferentialArea.controllerAreas.contains($0.area) })
        #expect(DifferentialScript.workloadSteps.allSatisfy { DifferentialArea.controllerAreas.contains($0.area) })
    }

    @Test("every accepted difference names a step of the script and gives a reason")
    func acceptedDifferences() {
        let ids = Set((DifferentialScript.steps + DifferentialScript.workloadSteps).map(\.id))
        for (id, reason) in AcceptedDifferences.reasons {
            #expect(ids.contains(id), "\(id) is accepted but not in the script")
            #expect(reason.count > 20, "\(id) needs a reason")
        }
    }

    @Test("every placeholder is known or captured by an earlier step", arguments: [false, true])
    func placeholdersResolve(workloads: Bool) throws {
        var known: Set<String> = workloads ? ["ns", "run"] : ["ns", "run", "certfile", "keyfile"]
        let placeholder = try Regex(#"\{([A-Za-z][A-Za-z0-9]*)\}"#)
        for step in workloads ? DifferentialScript.workloadSteps : DifferentialScript.steps {
            let texts: [String]
            switch step.action {
            case .kubectl(let arguments, let stdin): texts = arguments + [stdin ?? ""]
            case .request(_, let path, let body, _, _): texts = [path, body ?? ""]
            }
            for text in texts {
                for match in text.matches(of: placeholder) {
                    let name = String(match.output[1].substring ?? "")
                    // jsonpath and go-template expressions use braces too: only bare words count.
                    guard !text.contains("jsonpath="), !text.contains("go-template=") else { continue }
                    #expect(known.contains(name), "\(step.id) uses {\(name)} before anything sets it")
                }
            }
            if let capture = step.capture { known.insert(capture) }
        }
    }
}
