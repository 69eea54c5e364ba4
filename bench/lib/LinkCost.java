// The cost of the first native call of a kind (Libc's downcall handles are linked on first use,
// one holder class at a time): Libc.open, then Libc.close, then both again. BENCHMARKS.md §3.2.
//   javac -cp target/gulp.jar -d /tmp/linkcost bench/lib/LinkCost.java
//   java --enable-native-access=ALL-UNNAMED -cp target/gulp.jar:/tmp/linkcost LinkCost
import gulp.linux.Libc;

public class LinkCost {
    public static void main(String[] args) throws Exception {
        Libc libc = Libc.current();
        long t0 = System.nanoTime();
        int fd = libc.open("/dev/null", Libc.O_RDWR | Libc.O_CLOEXEC);
        long t1 = System.nanoTime();
        libc.close(fd);
        long t2 = System.nanoTime();
        libc.close(libc.open("/dev/null", Libc.O_RDWR | Libc.O_CLOEXEC));
        long t3 = System.nanoTime();
        System.out.printf("first open %.1f ms, first close %.1f ms, then open+close %.3f ms%n",
                (t1 - t0) / 1e6, (t2 - t1) / 1e6, (t3 - t2) / 1e6);
    }
}
