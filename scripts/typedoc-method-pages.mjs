// A TypeDoc router that gives every method of the client's resource interfaces a page of its own
// (docs/client/methods/index.AppointmentsResource.list.html), besides TypeDoc's usual
// page per interface, class and type: readers land on one operation with its docs, parameters and
// example. Loaded by typedoc.json ("plugin", "router").
import { KindRouter, PageKind, ReflectionKind } from "typedoc";

class MethodPagesRouter extends KindRouter {
  isMethodOfInterface(target) {
    return typeof target?.kindOf === "function" && target.kindOf(ReflectionKind.Method) && target.parent?.kindOf?.(ReflectionKind.Interface);
  }

  getPageKind(target) {
    return this.isMethodOfInterface(target) ? PageKind.Reflection : super.getPageKind(target);
  }

  getIdealBaseName(reflection) {
    if (this.isMethodOfInterface(reflection)) {
      return `${super.getIdealBaseName(reflection.parent).replace(/^interfaces\//, "methods/")}.${reflection.name}`;
    }
    return super.getIdealBaseName(reflection);
  }
}

/** TypeDoc's plugin entry point. */
export function load(app) {
  app.renderer.defineRouter("method-pages", MethodPagesRouter);
}
