package org.ipccourse.classes;

import java.lang.invoke.SerializedLambda;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.ipccourse.classes.NotebookVariables.VariableUse;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.Handle;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * Walks the bytecode reachable from a task through cell classes and collects the top-level
 * notebook variables it touches. JShell compiles each top-level snippet into a wrapper class
 * {@code REPL.$JShell$N} (a redefinition gets a letter: {@code $JShell$12B}); a variable snippet
 * becomes a static field of its wrapper, assigned by the wrapper's {@code do_it$} method. Classes
 * declared in cells are nested in their wrapper ({@code $JShell$13$Res}); their static fields are
 * ordinary per-JVM state and are not reported.
 */
final class CellCodeScanner {
    static final String CELL_PACKAGE = "REPL.";
    private static final String CELL_PREFIX = "REPL/";
    private static final Pattern WRAPPER = Pattern.compile("REPL/\\$JShell\\$\\d+[A-Z]*");
    private static final int MAX_METHODS = 10_000;

    private final ClassLoader loader;
    private final Map<String, Optional<ClassReader>> readers = new HashMap<>();
    private final Deque<MethodRef> pending = new ArrayDeque<>();
    private final Set<MethodRef> seen = new HashSet<>();
    private final Map<String, VariableUse> uses = new LinkedHashMap<>();

    private CellCodeScanner(ClassLoader loader) {
        this.loader = loader;
    }

    /** The variables used by {@code task}, a lambda or an instance of a class from a cell. */
    static List<VariableUse> variablesUsedBy(Object task) {
        Class<?> taskType = task.getClass();
        CellCodeScanner scanner = new CellCodeScanner(taskType.getClassLoader());
        if (taskType.isSynthetic() || taskType.isHidden()) {
            SerializedLambda lambda = serializedForm(task);
            if (lambda == null) {
                return List.of(); // not a serializable lambda: it cannot reach a worker anyway
            }
            scanner.enqueue(lambda.getImplClass(), lambda.getImplMethodName(), lambda.getImplMethodSignature());
        } else {
            for (Class<?> c = taskType; c != null && c.getName().startsWith(CELL_PACKAGE); c = c.getSuperclass()) {
                scanner.enqueue(c.getName().replace('.', '/'), null, null);
            }
        }
        scanner.run();
        return List.copyOf(scanner.uses.values());
    }

    // The lambda's own description, as serialization would write it; null for other lambdas.
    private static SerializedLambda serializedForm(Object lambda) {
        try {
            Method writeReplace = lambda.getClass().getDeclaredMethod("writeReplace");
            writeReplace.setAccessible(true);
            return writeReplace.invoke(lambda) instanceof SerializedLambda s ? s : null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    private void enqueue(String owner, String name, String descriptor) {
        MethodRef ref = new MethodRef(owner, name, descriptor);
        if (owner.startsWith(CELL_PREFIX) && seen.size() < MAX_METHODS && seen.add(ref)) {
            pending.add(ref);
        }
    }

    private void run() {
        while (!pending.isEmpty()) {
            MethodRef ref = pending.poll();
            Optional<ClassReader> reader = readers.computeIfAbsent(ref.owner(), this::read);
            try {
                reader.ifPresent(r -> scan(r, ref));
            } catch (RuntimeException e) {
                // a class file the reader cannot parse: skip it rather than refuse a task that may be fine
            }
        }
    }

    // Empty when the bytes are missing or newer than the bytecode reader knows: then that class is not inspected.
    private Optional<ClassReader> read(String internalName) {
        try {
            return ClassBytes.find(internalName.replace('/', '.'), loader).map(ClassReader::new);
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    private void scan(ClassReader reader, MethodRef ref) {
        boolean[] found = {false};
        reader.accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                    String[] exceptions) {
                if (ref.name() != null && !(ref.name().equals(name) && ref.descriptor().equals(descriptor))) {
                    return null;
                }
                found[0] = true;
                return new InstructionVisitor();
            }
        }, ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
        if (!found[0] && reader.getSuperName() != null) {
            enqueue(reader.getSuperName(), ref.name(), ref.descriptor()); // an inherited method
        }
    }

    private final class InstructionVisitor extends MethodVisitor {
        InstructionVisitor() {
            super(Opcodes.ASM9);
        }

        @Override
        public void visitFieldInsn(int opcode, String owner, String name, String descriptor) {
            if ((opcode == Opcodes.GETSTATIC || opcode == Opcodes.PUTSTATIC) && isVariable(owner, name)) {
                boolean assigned = opcode == Opcodes.PUTSTATIC;
                uses.putIfAbsent(owner + '.' + name + (assigned ? "=" : ""), new VariableUse(name, descriptor, assigned));
            }
        }

        @Override
        public void visitMethodInsn(int opcode, String owner, String name, String descriptor, boolean isInterface) {
            enqueue(owner, name, descriptor);
        }

        @Override
        public void visitInvokeDynamicInsn(String name, String descriptor, Handle bootstrap, Object... arguments) {
            for (Object argument : arguments) {
                visitConstant(argument);
            }
        }

        @Override
        public void visitLdcInsn(Object value) {
            visitConstant(value);
        }

        private void visitConstant(Object constant) {
            if (constant instanceof Handle h && h.getTag() >= Opcodes.H_INVOKEVIRTUAL) {
                enqueue(h.getOwner(), h.getName(), h.getDesc());
            }
        }
    }

    // A static, non-final field of a top-level snippet wrapper: a notebook variable.
    private boolean isVariable(String owner, String field) {
        if (!WRAPPER.matcher(owner).matches()) {
            return false;
        }
        try {
            int modifiers = Class.forName(owner.replace('/', '.'), false, loader).getDeclaredField(field).getModifiers();
            return Modifier.isStatic(modifiers) && !Modifier.isFinal(modifiers);
        } catch (ReflectiveOperationException | LinkageError e) {
            return true; // a static field of a wrapper class we cannot inspect: still a variable
        }
    }

    private record MethodRef(String owner, String name, String descriptor) {
    }
}
