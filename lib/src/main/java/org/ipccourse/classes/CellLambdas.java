package org.ipccourse.classes;

import java.io.InvalidObjectException;
import java.lang.invoke.LambdaMetafactory;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandleInfo;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.SerializedLambda;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Rebuilds a lambda of a notebook cell from its serialized form. {@link CellRewriter} gives every
 * cell class a {@code $deserializeLambda$} that calls {@link #rebuild} with the class's own lookup,
 * so any lambda of the class can be rebuilt, also one the compiler did not declare serializable
 * (a plain {@code Callable} made serializable by the rewrite).
 *
 * <p>Costs: the first rebuild of each lambda (per capturing class and implementation) spins its
 * class with {@link LambdaMetafactory} (tens of microseconds); later ones reuse the factory and
 * cost a method-handle call.
 */
public final class CellLambdas {
    private static final ClassValue<Map<String, MethodHandle>> FACTORIES = new ClassValue<>() {
        @Override
        protected Map<String, MethodHandle> computeValue(Class<?> type) {
            return new ConcurrentHashMap<>();
        }
    };

    private CellLambdas() {
    }

    /**
     * The lambda {@code form} describes, made in the class {@code caller} looks up from.
     *
     * @param caller a full-privilege lookup in the lambda's capturing class
     * @param form the lambda's serialized form
     * @return a new lambda object, itself serializable
     * @throws InvalidObjectException when the form names a method or class that is not there
     */
    public static Object rebuild(MethodHandles.Lookup caller, SerializedLambda form) throws InvalidObjectException {
        String key = String.join("|", form.getImplClass(), form.getImplMethodName(), form.getImplMethodSignature(),
                String.valueOf(form.getImplMethodKind()), form.getFunctionalInterfaceClass(),
                form.getFunctionalInterfaceMethodName(), form.getInstantiatedMethodType());
        try {
            MethodHandle factory = FACTORIES.get(caller.lookupClass()).get(key);
            if (factory == null) {
                factory = factory(caller, form);
                FACTORIES.get(caller.lookupClass()).put(key, factory);
            }
            Object[] captured = new Object[form.getCapturedArgCount()];
            for (int i = 0; i < captured.length; i++) {
                captured[i] = form.getCapturedArg(i);
            }
            return (Object) factory.invokeExact(captured);
        } catch (Throwable e) {
            InvalidObjectException clear = new InvalidObjectException("could not rebuild the lambda "
                    + form.getImplMethodName() + " of " + caller.lookupClass().getName() + ": " + e);
            clear.initCause(e);
            throw clear;
        }
    }

    private static MethodHandle factory(MethodHandles.Lookup caller, SerializedLambda form) throws Throwable {
        ClassLoader loader = caller.lookupClass().getClassLoader();
        Class<?> implClass = Class.forName(form.getImplClass().replace('/', '.'), false, loader);
        Class<?> functional = Class.forName(form.getFunctionalInterfaceClass().replace('/', '.'), false, loader);
        MethodType implType = MethodType.fromMethodDescriptorString(form.getImplMethodSignature(), loader);
        String name = form.getImplMethodName();
        int kind = form.getImplMethodKind();
        MethodHandle impl = switch (kind) {
            case MethodHandleInfo.REF_invokeStatic -> caller.findStatic(implClass, name, implType);
            case MethodHandleInfo.REF_invokeVirtual, MethodHandleInfo.REF_invokeInterface ->
                    caller.findVirtual(implClass, name, implType);
            case MethodHandleInfo.REF_invokeSpecial -> implClass == caller.lookupClass()
                    ? caller.findSpecial(implClass, name, implType, implClass) : caller.findVirtual(implClass, name, implType);
            case MethodHandleInfo.REF_newInvokeSpecial -> caller.findConstructor(implClass, implType);
            default -> throw new IllegalArgumentException("unknown method kind " + kind);
        };
        int n = form.getCapturedArgCount();
        boolean receiver = kind == MethodHandleInfo.REF_invokeVirtual || kind == MethodHandleInfo.REF_invokeInterface
                || kind == MethodHandleInfo.REF_invokeSpecial;
        List<Class<?>> implParameters = implType.parameterList();
        List<Class<?>> capturedTypes = receiver && n > 0
                ? concat(implClass, implParameters.subList(0, n - 1)) : implParameters.subList(0, n);
        MethodType factoryType = MethodType.methodType(functional, capturedTypes);
        MethodType samType = MethodType.fromMethodDescriptorString(form.getFunctionalInterfaceMethodSignature(), loader);
        MethodType instantiated = MethodType.fromMethodDescriptorString(form.getInstantiatedMethodType(), loader);
        MethodHandle target = LambdaMetafactory.altMetafactory(caller, form.getFunctionalInterfaceMethodName(),
                factoryType, samType, impl, instantiated, LambdaMetafactory.FLAG_SERIALIZABLE).getTarget();
        // (Object[])Object, made once per lambda: invokeWithArguments adapts the handle at each call,
        // which in a fresh worker spun a dozen method-handle forms for the first rebuild
        return target.asType(target.type().generic()).asSpreader(Object[].class, n);
    }

    private static List<Class<?>> concat(Class<?> first, List<Class<?>> rest) {
        Class<?>[] all = new Class<?>[rest.size() + 1];
        all[0] = first;
        for (int i = 0; i < rest.size(); i++) {
            all[i + 1] = rest.get(i);
        }
        return List.of(all);
    }
}
