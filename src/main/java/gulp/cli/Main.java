package gulp.cli;

public final class Main {
    public static void main(String[] args) {
        System.err.println("gulp: not yet");
    }
}
