import Controllers
import Testing

@Suite struct ControllersTests {
    @Test func writesAreRecordedUnderOneFieldManager() {
        #expect(Controllers.fieldManager == "mizzen")
    }
}
