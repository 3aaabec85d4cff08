//! `HostFunc`: a Rust closure that can be bound to a WIT function with
//! [`Linker::func`](crate::Linker::func).

use wit_parser::Function;

use crate::abi::Val;
use crate::typed::{DirectCall, Lift, LiftCx, LowerCx, Lowered, TypeCheck, WitReturn};
use crate::{BindError, Ctx, HostError, InstanceEnv};

/// A closure that can serve a WIT function:
/// `Fn(&mut Ctx<'_, D>, A1, A2, ...) -> Result<R, HostError>`, with up to 10
/// parameters of [`Lift`] types and a [`WitReturn`] result.
///
/// `Marker` only tells the implementations for each arity apart.
pub trait HostFunc<D, Marker>: Send + Sync + 'static {
    /// Checks the closure's types against `func`, naming the parameter that
    /// does not fit.
    fn check(func: &Function, cx: &TypeCheck<'_>) -> Result<(), BindError>;

    /// Lifts the parameters, runs the closure, lowers its result.
    fn call(&self, env: &mut InstanceEnv<D>, params: Vec<Val>) -> Result<Option<Val>, HostError>;

    /// The same on the direct path: parameters lifted straight from the core
    /// arguments, the result left for the caller to finish lowering.
    fn call_direct(
        &self,
        env: &mut InstanceEnv<D>,
        call: &mut DirectCall<'_>,
    ) -> Result<Option<Lowered>, HostError>;
}

macro_rules! host_func {
    ($($arg:ident),*) => {
        impl<D, F, R, $($arg,)*> HostFunc<D, (R, $($arg,)*)> for F
        where
            F: Fn(&mut Ctx<'_, D>, $($arg),*) -> Result<R, HostError> + Send + Sync + 'static,
            R: WitReturn,
            $($arg: Lift,)*
        {
            fn check(func: &Function, cx: &TypeCheck<'_>) -> Result<(), BindError> {
                let arity: usize = <[&str]>::len(&[$(stringify!($arg)),*]);
                if func.params.len() != arity {
                    return Err(BindError::Arity {
                        function: func.name.clone(),
                        wit: func.params.len(),
                        rust: arity,
                    });
                }
                #[allow(unused_mut, unused_variables)]
                let mut params = func.params.iter();
                $(
                    if let Some(param) = params.next() {
                        $arg::check_param(&param.ty, cx).map_err(|mismatch| BindError::Type {
                            function: func.name.clone(),
                            position: format!("parameter `{}`", param.name),
                            mismatch,
                        })?;
                    }
                )*
                R::check_result(func.result.as_ref(), cx).map_err(|mismatch| BindError::Type {
                    function: func.name.clone(),
                    position: "result".into(),
                    mismatch,
                })
            }

            #[allow(non_snake_case, unused_mut, unused_variables)]
            fn call(&self, env: &mut InstanceEnv<D>, params: Vec<Val>) -> Result<Option<Val>, HostError> {
                let mut params = params.into_iter();
                let mut lift = LiftCx::new(&mut env.table);
                $(
                    let $arg = $arg::lift(
                        params.next().ok_or(HostError::Shape {
                            rust: stringify!($arg),
                            found: "a missing parameter",
                        })?,
                        &mut lift,
                    )?;
                )*
                let result = self(&mut Ctx::new(env), $($arg),*)?;
                result.lower_result(&mut LowerCx {
                    table: &mut env.table,
                    creations: &mut env.creations,
                })
            }

            #[allow(non_snake_case, unused_mut, unused_variables)]
            #[inline]
            fn call_direct(
                &self,
                env: &mut InstanceEnv<D>,
                call: &mut DirectCall<'_>,
            ) -> Result<Option<Lowered>, HostError> {
                let mut lift = LiftCx::new(&mut env.table);
                $( let $arg = $arg::lift_direct(call, &mut lift)?; )*
                let result = self(&mut Ctx::new(env), $($arg),*)?;
                result.lower_result_direct(&mut LowerCx {
                    table: &mut env.table,
                    creations: &mut env.creations,
                })
            }
        }
    };
}

host_func!();
host_func!(A1);
host_func!(A1, A2);
host_func!(A1, A2, A3);
host_func!(A1, A2, A3, A4);
host_func!(A1, A2, A3, A4, A5);
host_func!(A1, A2, A3, A4, A5, A6);
host_func!(A1, A2, A3, A4, A5, A6, A7);
host_func!(A1, A2, A3, A4, A5, A6, A7, A8);
host_func!(A1, A2, A3, A4, A5, A6, A7, A8, A9);
host_func!(A1, A2, A3, A4, A5, A6, A7, A8, A9, A10);
