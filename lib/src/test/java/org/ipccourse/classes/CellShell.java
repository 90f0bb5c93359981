package org.ipccourse.classes;

import java.io.File;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import jdk.jshell.JShell;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.execution.LoaderDelegate;
import jdk.jshell.execution.LocalExecutionControl;
import jdk.jshell.spi.ExecutionControl;
import jdk.jshell.spi.ExecutionControlProvider;
import jdk.jshell.spi.ExecutionEnv;

/**
 * A notebook kernel in miniature, for tests and the benchmarks in {@code bench/} (which get it
 * from the lib's test jar): JShell executing cells in this JVM with a cell class loader made like
 * JJava's (a URLClassLoader under the system loader that defines cell classes from a private map
 * and serves none of them as resources). Only the agent can hand those classes to workers, exactly
 * as in the kernel. Costs: a JShell (its compiler) per instance, tens of milliseconds per cell.
 */
public final class CellShell implements AutoCloseable {
    private final CellLoader loader = new CellLoader();
    private final Map<String, Class<?>> loaded = new LinkedHashMap<>();
    private final JShell shell;
    private int values;

    /** @param classPath entries cells compile against, besides the JDK */
    public CellShell(List<String> classPath) {
        ExecutionControlProvider provider = new ExecutionControlProvider() {
            @Override
            public String name() {
                return "cells-like-jjava";
            }

            @Override
            public ExecutionControl generate(ExecutionEnv env, Map<String, String> parameters) {
                return new LocalExecutionControl(new Delegate());
            }
        };
        shell = JShell.builder().executionEngine(provider, Map.of()).build();
        if (!classPath.isEmpty()) {
            shell.addToClasspath(String.join(File.pathSeparator, classPath));
        }
    }

    /** Where {@code c} was loaded from, as a class path entry. */
    public static String location(Class<?> c) {
        CodeSource source = c.getProtectionDomain().getCodeSource();
        try {
            return Path.of(source.getLocation().toURI()).toString();
        } catch (java.net.URISyntaxException | NullPointerException e) {
            throw new IllegalStateException(c + " was not loaded from a file", e);
        }
    }

    /** Runs one cell; throws if it does not compile or throws. */
    public void run(String cell) {
        for (SnippetEvent e : shell.eval(cell)) {
            if (e.exception() != null) {
                throw new IllegalStateException("cell threw: " + cell, e.exception());
            }
            if (e.status() != Snippet.Status.VALID && e.causeSnippet() == null) {
                throw new IllegalStateException("cell is " + e.status() + ": " + cell + "\n"
                        + shell.diagnostics(e.snippet()).map(d -> d.getMessage(null)).collect(Collectors.joining("\n")));
            }
        }
    }

    /** The value of a Java expression evaluated in a cell, as the object the cell made. */
    @SuppressWarnings("unchecked")
    public <T> T value(String expression) {
        String name = "value$" + values++;
        run("var " + name + " = " + expression + ";");
        synchronized (loaded) {
            List<Class<?>> classes = List.copyOf(loaded.values());
            for (int i = classes.size() - 1; i >= 0; i--) {
                Class<?> c = classes.get(i);
                try {
                    java.lang.reflect.Field field = c.getDeclaredField(name);
                    field.setAccessible(true); // wrapper classes are package-private
                    return (T) field.get(null);
                } catch (NoSuchFieldException e) {
                    continue;
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        throw new IllegalStateException("no cell class holds " + name);
    }

    /** The loader that defines the cells' classes. */
    public ClassLoader loader() {
        return loader;
    }

    /** The binary names and class files of every class defined by cells so far. */
    public Map<String, byte[]> definedClasses() {
        return Map.copyOf(loader.declared);
    }

    @Override
    public void close() {
        shell.close();
    }

    private static final class CellLoader extends URLClassLoader {
        final Map<String, byte[]> declared = new ConcurrentHashMap<>();

        CellLoader() {
            super("cells", new URL[0], ClassLoader.getSystemClassLoader());
        }

        void addPath(URL url) {
            addURL(url);
        }

        @Override
        protected Class<?> findClass(String name) throws ClassNotFoundException {
            byte[] b = declared.get(name);
            if (b == null) {
                return super.findClass(name);
            }
            return defineClass(name, b, 0, b.length, (CodeSource) null);
        }
    }

    private final class Delegate implements LoaderDelegate {
        @Override
        public void load(ExecutionControl.ClassBytecodes[] classes) throws ExecutionControl.ClassInstallException {
            for (ExecutionControl.ClassBytecodes c : classes) {
                loader.declared.put(c.name(), c.bytecodes());
            }
            boolean[] installed = new boolean[classes.length];
            try {
                for (int i = 0; i < classes.length; i++) {
                    Class<?> c = loader.loadClass(classes[i].name());
                    synchronized (loaded) {
                        loaded.put(classes[i].name(), c);
                    }
                    installed[i] = true;
                }
            } catch (ClassNotFoundException | LinkageError e) {
                throw new ExecutionControl.ClassInstallException("cannot load: " + e, installed);
            }
        }

        @Override
        public void classesRedefined(ExecutionControl.ClassBytecodes[] classes) {
            for (ExecutionControl.ClassBytecodes c : classes) {
                loader.declared.put(c.name(), c.bytecodes());
            }
        }

        @Override
        public void addToClasspath(String path) throws ExecutionControl.InternalException {
            try {
                for (String p : path.split(File.pathSeparator)) {
                    loader.addPath(Path.of(p).toUri().toURL());
                }
            } catch (MalformedURLException e) {
                throw new ExecutionControl.InternalException(e.toString());
            }
        }

        @Override
        public Class<?> findClass(String name) throws ClassNotFoundException {
            synchronized (loaded) {
                Class<?> c = loaded.get(name);
                if (c == null) {
                    throw new ClassNotFoundException(name);
                }
                return c;
            }
        }
    }
}
