//! Whole calls: the parameters and result of a WIT function, for a guest
//! calling a host import and for the host calling a guest export.

use std::borrow::Cow;

use wasmer::{FunctionType, Value};
use wit_parser::Function;
use wit_parser::abi::{AbiVariant, WasmSignature};

use super::core::{Cursor, check_core, core_type};
use super::lifter::Lifter;
use super::lowerer::Lowerer;
use super::memory::allocate;
use super::{Abi, AbiError, GuestMemory, Val};

impl Abi {
    /// The core signature of `func` as wit-parser computes it, after
    /// checking that every type of `func` can cross this ABI.
    ///
    /// Only [`AbiVariant::GuestImport`] and [`AbiVariant::GuestExport`]
    /// are supported. Parameters that flatten to more than 16 core values
    /// are passed as one pointer (`indirect_params`); a result that
    /// flattens to more than one goes through a return pointer (`retptr`),
    /// the last parameter of an import and the result of an export.
    pub fn signature(
        &self,
        variant: AbiVariant,
        func: &Function,
    ) -> Result<WasmSignature, AbiError> {
        let sync = matches!(variant, AbiVariant::GuestImport | AbiVariant::GuestExport);
        if !sync || func.kind.is_async() {
            return Err(AbiError::UnsupportedFunction {
                func: func.name.clone(),
            });
        }
        for param in &func.params {
            self.check_supported(&param.ty)?;
        }
        if let Some(result) = &func.result {
            self.check_supported(result)?;
        }
        Ok(self.resolve.wasm_signature(variant, func))
    }

    /// The Wasmer function type of `func`'s core signature.
    ///
    /// ```
    /// use host_wasmer::abi::Abi;
    /// use wit_parser::abi::AbiVariant;
    /// use wit_parser::Resolve;
    ///
    /// let mut resolve = Resolve::default();
    /// let pkg = resolve.push_str(
    ///     "demo.wit",
    ///     "package demo:pkg; interface i { greet: func(name: string) -> string; }",
    /// )?;
    /// let iface = resolve.packages[pkg].interfaces["i"];
    /// let func = resolve.interfaces[iface].functions["greet"].clone();
    /// let abi = Abi::new(&resolve);
    /// let ty = abi.function_type(AbiVariant::GuestImport, &func)?;
    /// // (ptr, len, retptr) -> ()
    /// assert_eq!(ty.params(), [wasmer::Type::I32; 3]);
    /// assert!(ty.results().is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn function_type(
        &self,
        variant: AbiVariant,
        func: &Function,
    ) -> Result<FunctionType, AbiError> {
        let sig = self.signature(variant, func)?;
        Ok(FunctionType::new(
            sig.params
                .iter()
                .copied()
                .map(core_type)
                .collect::<Vec<_>>(),
            sig.results
                .iter()
                .copied()
                .map(core_type)
                .collect::<Vec<_>>(),
        ))
    }

    /// The core signature of `func` for a call: looked up among those
    /// [`Abi::new`] computed, or computed now for a function the `Resolve`
    /// does not hold.
    fn call_signature(
        &self,
        variant: AbiVariant,
        func: &Function,
    ) -> Result<Cow<'_, WasmSignature>, AbiError> {
        match self.signatures.get(variant, func) {
            Some(sig) => Ok(Cow::Borrowed(sig)),
            None => self.signature(variant, func).map(Cow::Owned),
        }
    }

    /// The guest called the import `func` with core arguments `args`: lifts
    /// its parameters, from the flat arguments or, when they spill, from
    /// the parameter area `args[0]` points to. A return pointer, if the
    /// signature has one, is left for [`Abi::lower_import_result`].
    ///
    /// The signature of a function of the `Abi`'s `Resolve` is looked up,
    /// not recomputed; a caller that keeps it can use
    /// [`Abi::lift_import_params_with`].
    pub fn lift_import_params<M: GuestMemory + ?Sized>(
        &self,
        func: &Function,
        args: &[Value],
        mem: &mut M,
    ) -> Result<Vec<Val>, AbiError> {
        let sig = self.call_signature(AbiVariant::GuestImport, func)?;
        self.lift_import_params_with(func, &sig, args, mem)
    }

    /// [`Abi::lift_import_params`] with `func`'s core signature as the
    /// caller computed it once: `sig` must be
    /// [`Abi::signature`]`(AbiVariant::GuestImport, func)`.
    ///
    /// Every guest value is checked as in `lift_import_params`. A `sig` of
    /// another function is a host bug: the call then fails or lifts
    /// values other than the guest meant, but does not panic.
    ///
    /// ```
    /// use host_wasmer::abi::{Abi, Val, VecMemory};
    /// use wit_parser::abi::AbiVariant;
    /// use wit_parser::Resolve;
    ///
    /// let mut resolve = Resolve::default();
    /// let pkg = resolve.push_str(
    ///     "demo.wit",
    ///     "package demo:pkg; interface i { add: func(a: u32, b: u32) -> u32; }",
    /// )?;
    /// let iface = resolve.packages[pkg].interfaces["i"];
    /// let add = resolve.interfaces[iface].functions["add"].clone();
    /// let abi = Abi::new(&resolve);
    /// let sig = abi.signature(AbiVariant::GuestImport, &add)?; // once, at bind time
    ///
    /// let mut mem = VecMemory::new(0);
    /// let args = [wasmer::Value::I32(2), wasmer::Value::I32(3)];
    /// let params = abi.lift_import_params_with(&add, &sig, &args, &mut mem)?;
    /// assert_eq!(params, [Val::U32(2), Val::U32(3)]);
    /// let result = abi.lower_import_result_with(&add, &sig, Some(Val::U32(5)), &args, &mut mem)?;
    /// assert_eq!(result, [wasmer::Value::I32(5)]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn lift_import_params_with<M: GuestMemory + ?Sized>(
        &self,
        func: &Function,
        sig: &WasmSignature,
        args: &[Value],
        mem: &mut M,
    ) -> Result<Vec<Val>, AbiError> {
        check_core(&sig.params, args)?;
        let flat = args
            .get(..args.len().saturating_sub(usize::from(sig.retptr)))
            .unwrap_or_default();
        let mut cursor = Cursor::new(flat);
        let mut lifter = Lifter::new(self, &*mem);
        let types = func.params.iter().map(|p| &p.ty);
        let params = if sig.indirect_params {
            let ptr = cursor.u32()?;
            lifter.load_tuple(types, ptr, "parameter area")?
        } else {
            lifter.lift_flat_fields(types, &mut cursor)?
        };
        cursor.finish()?;
        Ok(params)
    }

    /// Returns `result` from the import `func` to the guest that called it
    /// with `args`: as the core results when it flattens to at most one
    /// value, otherwise stored at the return pointer (the last of `args`),
    /// with no core results.
    pub fn lower_import_result<M: GuestMemory + ?Sized>(
        &self,
        func: &Function,
        result: Option<Val>,
        args: &[Value],
        mem: &mut M,
    ) -> Result<Vec<Value>, AbiError> {
        let sig = self.call_signature(AbiVariant::GuestImport, func)?;
        self.lower_import_result_with(func, &sig, result, args, mem)
    }

    /// [`Abi::lower_import_result`] with `func`'s core signature as the
    /// caller computed it once: `sig` must be
    /// [`Abi::signature`]`(AbiVariant::GuestImport, func)`; see
    /// [`Abi::lift_import_params_with`].
    pub fn lower_import_result_with<M: GuestMemory + ?Sized>(
        &self,
        func: &Function,
        sig: &WasmSignature,
        result: Option<Val>,
        args: &[Value],
        mem: &mut M,
    ) -> Result<Vec<Value>, AbiError> {
        check_core(&sig.params, args)?;
        let (ty, val) = match (&func.result, result) {
            (Some(ty), Some(val)) => (ty, val),
            (None, None) => return Ok(Vec::new()),
            (expected, _) => {
                return Err(AbiError::WrongResult {
                    func: func.name.clone(),
                    expected: expected.is_some(),
                });
            }
        };
        let mut lowerer = Lowerer::new(self, mem);
        if sig.retptr {
            let last = args.len().saturating_sub(1);
            let retptr = Cursor::new(args.get(last..).unwrap_or_default()).u32()?;
            lowerer.store_at(ty, &val, retptr, "return area")?;
            return Ok(Vec::new());
        }
        let mut out = Vec::with_capacity(sig.results.len());
        lowerer.lower_flat(ty, &val, &mut out)?;
        Ok(out)
    }

    /// Lowers `params` for a call of the guest export `func`: flat, or,
    /// when they spill, stored in a parameter area allocated with the
    /// guest's `cabi_realloc` and passed as one pointer.
    pub fn lower_export_params<M: GuestMemory + ?Sized>(
        &self,
        func: &Function,
        params: &[Val],
        mem: &mut M,
    ) -> Result<Vec<Value>, AbiError> {
        let sig = self.call_signature(AbiVariant::GuestExport, func)?;
        self.lower_export_params_with(func, &sig, params, mem)
    }

    /// [`Abi::lower_export_params`] with `func`'s core signature as the
    /// caller computed it once: `sig` must be
    /// [`Abi::signature`]`(AbiVariant::GuestExport, func)`; see
    /// [`Abi::lift_import_params_with`].
    pub fn lower_export_params_with<M: GuestMemory + ?Sized>(
        &self,
        func: &Function,
        sig: &WasmSignature,
        params: &[Val],
        mem: &mut M,
    ) -> Result<Vec<Value>, AbiError> {
        if params.len() != func.params.len() {
            return Err(AbiError::WrongParamCount {
                func: func.name.clone(),
                expected: func.params.len(),
                found: params.len(),
            });
        }
        let types = func.params.iter().map(|p| &p.ty);
        if sig.indirect_params {
            let (size, align) = self.tuple_layout(types.clone())?;
            let ptr = allocate(mem, align, size)?;
            let mut bytes = vec![0; size as usize];
            Lowerer::new(self, mem).encode_fields(types, params, &mut bytes)?;
            mem.write(ptr, &bytes)?;
            return Ok(vec![Value::I32(ptr as i32)]);
        }
        let mut out = Vec::with_capacity(sig.params.len());
        let mut lowerer = Lowerer::new(self, mem);
        for (ty, val) in types.zip(params) {
            lowerer.lower_flat(ty, val, &mut out)?;
        }
        Ok(out)
    }

    /// Lifts the result of the guest export `func` from its core `results`:
    /// flat, or from the return area the single result points to.
    ///
    /// The caller still owns the guest's `cabi_post_<name>`, which it
    /// calls with the same `results` once it is done with the value.
    pub fn lift_export_result<M: GuestMemory + ?Sized>(
        &self,
        func: &Function,
        results: &[Value],
        mem: &mut M,
    ) -> Result<Option<Val>, AbiError> {
        let sig = self.call_signature(AbiVariant::GuestExport, func)?;
        self.lift_export_result_with(func, &sig, results, mem)
    }

    /// [`Abi::lift_export_result`] with `func`'s core signature as the
    /// caller computed it once: `sig` must be
    /// [`Abi::signature`]`(AbiVariant::GuestExport, func)`; see
    /// [`Abi::lift_import_params_with`].
    pub fn lift_export_result_with<M: GuestMemory + ?Sized>(
        &self,
        func: &Function,
        sig: &WasmSignature,
        results: &[Value],
        mem: &mut M,
    ) -> Result<Option<Val>, AbiError> {
        check_core(&sig.results, results)?;
        let Some(ty) = &func.result else {
            return Ok(None);
        };
        let mut cursor = Cursor::new(results);
        let mut lifter = Lifter::new(self, &*mem);
        let val = if sig.retptr {
            let ptr = cursor.u32()?;
            lifter.load_at(ty, ptr, "return area")?
        } else {
            lifter.lift_flat(ty, &mut cursor)?
        };
        cursor.finish()?;
        Ok(Some(val))
    }
}
